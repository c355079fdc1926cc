//! How each effect is observed (read, compared with the target and with what the plan saw)
//! and written (with the version it was read at, so a change made meanwhile is refused).

use crate::actions::SAVED_SPEC_KEY;
use crate::actions::effect::{Effect, spec_u32};
use crate::actions::quantity::{same_cpu, same_memory};
use crate::model::state::Workload;
use crate::platform::{ErrorKind, Hpa, PResult, Platform, PlatformError, WriteOpts};
use serde_json::{Value, json};

/// An effect's target as read just now.
#[derive(Debug, Clone)]
pub struct Observed {
    /// The changed field(s) before, for the journal and the summary.
    pub before: Value,
    /// The whole object, where it matters to keep (an HPA's spec and annotations).
    pub full: Option<Value>,
    pub version: Option<String>,
    /// Already where the effect wants it: nothing to write.
    pub done: bool,
    /// Not what the plan was made against: someone else changed it.
    pub conflict: Option<String>,
    hpa: Option<Hpa>,
}

impl Observed {
    fn new(before: Value, version: Option<String>, done: bool) -> Self {
        Observed { before, full: None, version, done, conflict: None, hpa: None }
    }
}

fn hpa_bounds(spec: &Value) -> (u32, Option<u32>) {
    (spec_u32(spec, "minReplicas").unwrap_or(1), spec_u32(spec, "maxReplicas"))
}

async fn read_hpa(p: &dyn Platform, w: Workload, name: &str) -> PResult<Hpa> {
    p.hpa(w).await?.ok_or_else(|| PlatformError::new(ErrorKind::NotFound, format!("no HPA {name}")))
}

pub async fn observe(e: &Effect, p: &dyn Platform) -> PResult<Observed> {
    Ok(match e {
        Effect::Notify { .. } => Observed::new(Value::Null, None, false),
        Effect::Scale { workload, replicas, .. } => {
            let d = p.deployment(*workload).await?;
            Observed::new(json!({ "replicas": d.state.desired }), d.resource_version, d.state.desired == *replicas)
        }
        Effect::PinHpa { workload, name, min, expect_spec } => {
            let h = read_hpa(p, *workload, name).await?;
            let (cur_min, cur_max) = hpa_bounds(&h.spec);
            let saved = h.annotations.contains_key(SAVED_SPEC_KEY);
            let done = saved && cur_min == *min && cur_max.is_none_or(|m| m >= *min);
            let mut o = Observed::new(json!({ "minReplicas": cur_min }), h.resource_version.clone(), done);
            if !done && expect_spec.as_ref().is_some_and(|s| *s != h.spec) {
                o.conflict =
                    Some(format!("the spec of HPA {name} changed since the plan was made; nothing was overwritten"));
            }
            o.full = Some(json!({ "spec": h.spec, "annotations": h.annotations }));
            o.hpa = Some(h);
            o
        }
        Effect::RestoreHpa { workload, name, spec, expect_spec } => {
            let h = read_hpa(p, *workload, name).await?;
            let done = h.spec == *spec && !h.annotations.contains_key(SAVED_SPEC_KEY);
            let (cur_min, _) = hpa_bounds(&h.spec);
            let mut o = Observed::new(json!({ "minReplicas": cur_min }), h.resource_version.clone(), done);
            if !done && expect_spec.as_ref().is_some_and(|s| *s != h.spec) {
                o.conflict =
                    Some(format!("the spec of HPA {name} changed since the plan was made; nothing was overwritten"));
            }
            o.full = Some(json!({ "spec": h.spec, "annotations": h.annotations }));
            o.hpa = Some(h);
            o
        }
        Effect::Annotate { workload, key, value, expect, name } => {
            let d = p.deployment(*workload).await?;
            let cur = d.state.annotations.get(key).cloned();
            let mut o = Observed::new(json!({ "value": cur }), d.resource_version, cur == *value);
            if !o.done && expect.as_ref().is_some_and(|x| *x != cur) {
                o.conflict = Some(format!("annotation {key} on {name} changed since the plan was made"));
            }
            o
        }
        Effect::SetLimits { workload, cpu, memory, expect, name } => {
            let d = p.deployment(*workload).await?;
            let (c, m) = (d.state.cpu_limit.clone(), d.state.memory_limit.clone());
            let done = same_cpu(c.as_deref(), cpu) && same_memory(m.as_deref(), memory);
            let mut o = Observed::new(json!({ "cpu": c, "memory": m }), d.resource_version, done);
            if !done && expect.as_ref().is_some_and(|x| *x != (c.clone(), m.clone())) {
                o.conflict = Some(format!("the limits of {name} changed since the plan was made"));
            }
            o
        }
        Effect::ModifyDb { id, class, apply_now, expect_class } => {
            let (primary, replicas) = p.db_instances().await?;
            let i = std::iter::once(primary)
                .chain(replicas)
                .find(|i| i.id == *id)
                .ok_or_else(|| PlatformError::new(ErrorKind::NotFound, format!("no RDS instance {id}")))?;
            let pending = i.pending_class.as_deref() == Some(class.as_str());
            let done = i.class == *class || (pending && (!apply_now || i.status == "modifying"));
            let mut o = Observed::new(json!({ "class": i.class, "status": i.status }), None, done);
            if !done && expect_class.as_ref().is_some_and(|c| *c != i.class) {
                o.conflict = Some(format!("the class of {id} changed since the plan was made ({})", i.class));
            }
            o
        }
        // Read replicas (issue 9): done once RDS lists the replica (any status but deleting),
        // or no longer lists it (or lists it as deleting).
        Effect::CreateReplica { id, .. } => {
            let (_, replicas) = p.db_replica_set().await?;
            let r = replicas.iter().find(|r| r.id == *id);
            let before = match r {
                Some(r) => json!({ "exists": true, "class": r.class, "status": r.status }),
                None => json!({ "exists": false }),
            };
            let mut o = Observed::new(before, None, r.is_some_and(|r| r.status != "deleting"));
            if let Some(r) = r.filter(|r| r.status == "deleting") {
                o.conflict = Some(format!("{} is being deleted: wait until it is gone, then add it again", r.id));
            }
            o
        }
        Effect::DeleteReplica { id } => {
            let (_, replicas) = p.db_replica_set().await?;
            let r = replicas.iter().find(|r| r.id == *id);
            let before = match r {
                Some(r) => json!({ "exists": true, "class": r.class, "status": r.status }),
                None => json!({ "exists": false }),
            };
            Observed::new(before, None, r.is_none_or(|r| r.status == "deleting"))
        }
        Effect::ReshardRedis { shards, expect_shards, .. } => {
            let g = p.redis_group().await?;
            let done = g.shards() == *shards;
            let mut o = Observed::new(json!({ "shards": g.shards(), "status": g.status }), None, done);
            if !done && g.status != "available" {
                o.conflict = Some(format!(
                    "replication group {} is {} with {} shards: another change is under way; nothing was sent",
                    g.id,
                    g.status,
                    g.shards()
                ));
            } else if !done && expect_shards.is_some_and(|n| n != g.shards()) {
                o.conflict = Some(format!("{} has {} shards since the plan was made", g.id, g.shards()));
            }
            o
        }
    })
}

/// Write the effect at the version observed. Returns the value after.
pub async fn write(e: &Effect, p: &dyn Platform, o: &Observed, dry_run: bool) -> PResult<Value> {
    let opts = WriteOpts { dry_run, expect_version: o.version.clone() };
    match e {
        Effect::Notify { message } => {
            p.notify(message).await?;
            Ok(json!({ "sent": true }))
        }
        Effect::Scale { workload, replicas, .. } => {
            let d = p.scale(*workload, *replicas, &opts).await?;
            Ok(json!({ "replicas": d.state.desired }))
        }
        Effect::PinHpa { workload, min, name, .. } => {
            let h =
                o.hpa.as_ref().ok_or_else(|| PlatformError::new(ErrorKind::Other, format!("HPA {name} not read")))?;
            let mut spec = h.spec.clone();
            let (_, max) = hpa_bounds(&spec);
            if let Some(obj) = spec.as_object_mut() {
                obj.insert("minReplicas".into(), json!(min));
                if max.is_none_or(|m| m < *min) {
                    obj.insert("maxReplicas".into(), json!(min));
                }
            }
            let mut ann = h.annotations.clone();
            if !ann.contains_key(SAVED_SPEC_KEY) {
                let saved = serde_json::to_string(&h.spec)
                    .map_err(|e| PlatformError::new(ErrorKind::Other, format!("cannot save the spec: {e}")))?;
                ann.insert(SAVED_SPEC_KEY.into(), saved);
            }
            let after = p.replace_hpa(*workload, &spec, &ann, &opts).await?;
            Ok(json!({ "minReplicas": hpa_bounds(&after.spec).0 }))
        }
        Effect::RestoreHpa { workload, spec, name, .. } => {
            let h =
                o.hpa.as_ref().ok_or_else(|| PlatformError::new(ErrorKind::Other, format!("HPA {name} not read")))?;
            let mut ann = h.annotations.clone();
            ann.remove(SAVED_SPEC_KEY);
            let after = p.replace_hpa(*workload, spec, &ann, &opts).await?;
            Ok(json!({ "minReplicas": hpa_bounds(&after.spec).0 }))
        }
        Effect::Annotate { workload, key, value, .. } => {
            let d = p.annotate(*workload, key, value.as_deref(), &opts).await?;
            Ok(json!({ "value": d.state.annotations.get(key) }))
        }
        Effect::SetLimits { workload, cpu, memory, .. } => {
            let d = p.set_limits(*workload, cpu, memory, &opts).await?;
            Ok(json!({ "cpu": d.state.cpu_limit, "memory": d.state.memory_limit }))
        }
        Effect::ModifyDb { id, class, apply_now, .. } => {
            let i = p.modify_db_class(id, class, *apply_now).await?;
            Ok(json!({ "class": i.class, "status": i.status, "pending": i.pending_class }))
        }
        // Read replicas (issue 9): RDS has no dry run; `has_dry_run` keeps these from one.
        Effect::CreateReplica { id, class } => {
            let i = p.create_db_replica(id, class).await?;
            Ok(json!({ "exists": true, "class": i.class, "status": i.status }))
        }
        Effect::DeleteReplica { id } => {
            let i = p.delete_db_replica(id).await?;
            Ok(json!({ "exists": i.status != "deleted", "status": i.status }))
        }
        Effect::ReshardRedis { group, shards, remove, .. } => {
            let remove = match remove.is_empty() {
                true => crate::actions::procs::lightest_node_groups(p, *shards).await?,
                false => remove.clone(),
            };
            let g = p.modify_redis_shards(group, *shards, &remove).await?;
            Ok(match remove.is_empty() {
                true => json!({ "shards": g.shards(), "status": g.status }),
                false => json!({ "shards": g.shards(), "status": g.status, "removing": remove }),
            })
        }
    }
}

/// RDS and ElastiCache have no server-side dry run, nor has a notification: a dry run does
/// not send them.
pub fn has_dry_run(e: &Effect) -> bool {
    !matches!(
        e,
        Effect::ModifyDb { .. }
            | Effect::Notify { .. }
            | Effect::CreateReplica { .. }
            | Effect::DeleteReplica { .. }
            | Effect::ReshardRedis { .. }
    )
}

/// The effect that puts back what `o` saw, where one exists.
pub fn undo(e: &Effect, o: &Observed) -> Option<Effect> {
    match e {
        Effect::Notify { .. } => None,
        Effect::Scale { workload, name, .. } => {
            let replicas = o.before.get("replicas")?.as_u64().and_then(|v| u32::try_from(v).ok())?;
            Some(Effect::Scale { workload: *workload, name: name.clone(), replicas })
        }
        Effect::PinHpa { workload, name, .. } => {
            let h = o.hpa.as_ref()?;
            if h.annotations.contains_key(SAVED_SPEC_KEY) {
                let min = hpa_bounds(&h.spec).0;
                Some(Effect::PinHpa { workload: *workload, name: name.clone(), min, expect_spec: None })
            } else {
                Some(Effect::RestoreHpa {
                    workload: *workload,
                    name: name.clone(),
                    spec: h.spec.clone(),
                    expect_spec: None,
                })
            }
        }
        Effect::RestoreHpa { workload, name, .. } => {
            let min = hpa_bounds(&o.hpa.as_ref()?.spec).0;
            Some(Effect::PinHpa { workload: *workload, name: name.clone(), min, expect_spec: None })
        }
        Effect::Annotate { workload, name, key, .. } => {
            let value = o.before.get("value").and_then(Value::as_str).map(str::to_string);
            Some(Effect::Annotate { workload: *workload, name: name.clone(), key: key.clone(), value, expect: None })
        }
        Effect::SetLimits { workload, name, .. } => {
            let cpu = o.before.get("cpu")?.as_str()?.to_string();
            let memory = o.before.get("memory")?.as_str()?.to_string();
            Some(Effect::SetLimits { workload: *workload, name: name.clone(), cpu, memory, expect: None })
        }
        Effect::ModifyDb { id, apply_now, .. } => {
            let class = o.before.get("class")?.as_str()?.to_string();
            Some(Effect::ModifyDb { id: id.clone(), class, apply_now: *apply_now, expect_class: None })
        }
        // Read replicas (issue 9): a replica added is deleted; one deleted is created again (a new
        // copy of the primary, in the class it had).
        Effect::CreateReplica { id, .. } => {
            (o.before.get("exists") == Some(&json!(false))).then(|| Effect::DeleteReplica { id: id.clone() })
        }
        Effect::DeleteReplica { id } => {
            let class = o.before.get("class")?.as_str()?.to_string();
            Some(Effect::CreateReplica { id: id.clone(), class })
        }
        Effect::ReshardRedis { group, .. } => {
            let shards = o.before.get("shards")?.as_u64().and_then(|v| u32::try_from(v).ok())?;
            Some(Effect::ReshardRedis { group: group.clone(), shards, remove: Vec::new(), expect_shards: None })
        }
    }
}
