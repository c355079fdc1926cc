//! The changes a step can make, as data. How each is observed and written is in
//! `runner::apply`; every one is idempotent: it reads first and does nothing when the platform
//! is already where the step wants it.

use crate::model::state::Workload;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Effect {
    /// Tell people (the configured command or webhook).
    Notify { message: String },
    /// Set a deployment's replicas.
    Scale { workload: Workload, name: String, replicas: u32 },
    /// Keep an HPA from undoing a manual scale: save its exact spec in an annotation (once),
    /// then set minReplicas (and maxReplicas, if lower) to `min`.
    PinHpa {
        workload: Workload,
        name: String,
        min: u32,
        /// The spec the plan was made against: a different one means someone else changed it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect_spec: Option<Value>,
    },
    /// Put an HPA's spec back exactly (and drop the saved-spec annotation).
    RestoreHpa {
        workload: Workload,
        name: String,
        spec: Value,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect_spec: Option<Value>,
    },
    /// Set (Some) or remove (None) an annotation on a deployment.
    Annotate {
        workload: Workload,
        name: String,
        key: String,
        value: Option<String>,
        /// The value the plan saw; None: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Option<String>>,
    },
    /// Container 0's CPU and memory limits (starts a rollout).
    SetLimits {
        workload: Workload,
        name: String,
        cpu: String,
        memory: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<(Option<String>, Option<String>)>,
    },
    /// An RDS instance's class, now or at the maintenance window.
    ModifyDb {
        id: String,
        class: String,
        apply_now: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect_class: Option<String>,
    },
    // Read replicas (issue 9)
    /// CreateDBInstanceReadReplica of the primary.
    CreateReplica { id: String, class: String },
    /// DeleteDBInstance of a read replica.
    DeleteReplica { id: String },
    // Redis cluster (issue 9)
    /// The ElastiCache replication group's shard count (online resharding). A scale-in removes
    /// the node groups in `remove`; none named: the ones holding the least data, chosen when
    /// it is written (an undo).
    ReshardRedis {
        group: String,
        shards: u32,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        remove: Vec<String>,
        /// The shard count the plan saw.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect_shards: Option<u32>,
    },
}

impl Effect {
    /// What it does, in a line.
    pub fn describe(&self) -> String {
        match self {
            Effect::Notify { message } => format!("notify: {message:?}"),
            Effect::Scale { name, replicas, .. } => format!("scale deployment {name} to {replicas}"),
            Effect::PinHpa { name, min, .. } => {
                format!("pin HPA {name}: minReplicas {min} (its spec saved first, for reenable-hpa)")
            }
            Effect::RestoreHpa { name, spec, .. } => format!(
                "restore HPA {name} exactly as saved (minReplicas {}, maxReplicas {})",
                spec_u32(spec, "minReplicas").unwrap_or(1),
                spec_u32(spec, "maxReplicas").map(|m| m.to_string()).unwrap_or_else(|| "?".into())
            ),
            Effect::Annotate { name, key, value: Some(v), .. } => format!("annotate deployment {name} {key}={v}"),
            Effect::Annotate { name, key, value: None, .. } => {
                format!("remove annotation {key} from deployment {name}")
            }
            Effect::SetLimits { name, cpu, memory, .. } => {
                format!("set deployment {name} container limits to cpu {cpu}, memory {memory}")
            }
            Effect::ModifyDb { id, class, apply_now, .. } => format!(
                "modify RDS instance {id} to {class} {}",
                if *apply_now { "now (apply immediately)" } else { "at the next maintenance window" }
            ),
            Effect::CreateReplica { id, class } => format!("create RDS read replica {id} ({class}) of the primary"),
            Effect::DeleteReplica { id } => format!("delete RDS read replica {id}"),
            Effect::ReshardRedis { group, shards, remove, .. } if remove.is_empty() => {
                format!("reshard ElastiCache {group} to {shards} shards (apply immediately)")
            }
            Effect::ReshardRedis { group, shards, remove, .. } => format!(
                "reshard ElastiCache {group} to {shards} shards, removing node group {} (apply immediately)",
                remove.join(", ")
            ),
        }
    }

    /// The object and field it changes, for the journal.
    pub fn target(&self) -> String {
        match self {
            Effect::Notify { .. } => "notification".into(),
            Effect::Scale { name, .. } => format!("deployment/{name} replicas"),
            Effect::PinHpa { name, .. } => format!("hpa/{name} minReplicas"),
            Effect::RestoreHpa { name, .. } => format!("hpa/{name} spec"),
            Effect::Annotate { name, key, .. } => format!("deployment/{name} annotation {key}"),
            Effect::SetLimits { name, .. } => format!("deployment/{name} limits"),
            Effect::ModifyDb { id, .. } => format!("rds/{id} class"),
            Effect::CreateReplica { id, .. } | Effect::DeleteReplica { id } => format!("rds/{id} read replica"),
            Effect::ReshardRedis { group, .. } => format!("elasticache/{group} shards"),
        }
    }

    /// The value it wants, in the same shape as the journal's "before".
    pub fn intended(&self) -> Value {
        match self {
            Effect::Notify { message } => json!({ "message": message }),
            Effect::Scale { replicas, .. } => json!({ "replicas": replicas }),
            Effect::PinHpa { min, .. } => json!({ "minReplicas": min }),
            Effect::RestoreHpa { spec, .. } => {
                json!({ "minReplicas": spec_u32(spec, "minReplicas").unwrap_or(1), "saved": false })
            }
            Effect::Annotate { value, .. } => json!({ "value": value }),
            Effect::SetLimits { cpu, memory, .. } => json!({ "cpu": cpu, "memory": memory }),
            Effect::ModifyDb { class, .. } => json!({ "class": class }),
            Effect::CreateReplica { class, .. } => json!({ "exists": true, "class": class }),
            Effect::DeleteReplica { .. } => json!({ "exists": false }),
            Effect::ReshardRedis { shards, .. } => json!({ "shards": shards }),
        }
    }

    /// True for effects whose result cannot be read back (a sent message): on resume, one in
    /// doubt is not repeated.
    pub fn unobservable(&self) -> bool {
        matches!(self, Effect::Notify { .. })
    }
}

/// A whole-number field of an HPA spec.
pub fn spec_u32(spec: &Value, key: &str) -> Option<u32> {
    spec.get(key).and_then(Value::as_u64).and_then(|v| u32::try_from(v).ok())
}
