//! The RDS instances: class changes applied now (status "modifying" for a few simulated
//! minutes, then the new class) or at the next maintenance window (the next hour boundary).

use super::rng::Rng;
use crate::model::state::{DbInstance, RdsState};
use crate::platform::{ErrorKind, PResult, PlatformError};

/// The runbook's RDS instance classes: (class, vCPU, memory GiB).
pub const CLASSES: [(&str, f64, f64); 4] = [
    ("db.r6g.large", 2.0, 16.0),
    ("db.r6g.xlarge", 4.0, 32.0),
    ("db.r6g.2xlarge", 8.0, 64.0),
    ("db.r6g.4xlarge", 16.0, 128.0),
];

/// (vCPU, memory GiB) of a class.
pub fn class_size(class: &str) -> Option<(f64, f64)> {
    CLASSES.iter().find(|(c, _, _)| *c == class).map(|(_, v, m)| (*v, *m))
}

/// Seconds between maintenance windows.
pub const MAINTENANCE_EVERY: u64 = 3600;

#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub id: String,
    pub class: String,
    pub status: &'static str,
    /// Waiting for the maintenance window.
    pub pending_class: Option<String>,
    /// Being applied: the class and the second it takes effect.
    pub applying: Option<(String, u64)>,
    pub is_replica: bool,
    /// A replica being created or deleted: the second it becomes available (or is gone).
    pub lifecycle_until: Option<u64>,
    /// Replicates from the primary (every replica but one still being created).
    pub streaming: bool,
}

impl Instance {
    fn new(id: &str, class: &str, is_replica: bool) -> Self {
        Instance {
            id: id.into(),
            class: class.into(),
            status: "available",
            pending_class: None,
            applying: None,
            is_replica,
            lifecycle_until: None,
            streaming: is_replica,
        }
    }

    /// vCPU and memory in effect now (the old class until a modification completes).
    pub fn size(&self) -> (f64, f64) {
        class_size(&self.class).unwrap_or((4.0, 32.0))
    }

    pub fn state(&self) -> DbInstance {
        DbInstance {
            id: self.id.clone(),
            class: self.class.clone(),
            status: self.status.to_string(),
            pending_class: self.pending_class.clone().or_else(|| self.applying.as_ref().map(|(c, _)| c.clone())),
            is_replica: self.is_replica,
        }
    }

    fn start(&mut self, now: u64, class: String, rng: &mut Rng) {
        self.status = "modifying";
        self.pending_class = None;
        self.applying = Some((class, now + rng.between(300, 600)));
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rds {
    pub primary: Instance,
    pub replicas: Vec<Instance>,
}

impl Rds {
    pub fn new(primary: &str, replicas: &[String], class: &str) -> Self {
        Rds {
            primary: Instance::new(primary, class, false),
            replicas: replicas.iter().map(|r| Instance::new(r, class, true)).collect(),
        }
    }

    fn all_mut(&mut self) -> impl Iterator<Item = &mut Instance> {
        std::iter::once(&mut self.primary).chain(self.replicas.iter_mut())
    }

    pub fn step(&mut self, now: u64, rng: &mut Rng) {
        let window = now.is_multiple_of(MAINTENANCE_EVERY);
        for i in self.all_mut() {
            if let Some((class, at)) = &i.applying {
                if now >= *at {
                    i.class = class.clone();
                    i.applying = None;
                    i.status = "available";
                }
            } else if window && let Some(class) = i.pending_class.take() {
                i.start(now, class, rng);
            }
        }
    }

    /// ModifyDBInstance with a new class.
    pub fn modify(&mut self, now: u64, id: &str, class: &str, apply_now: bool, rng: &mut Rng) -> PResult<DbInstance> {
        if class_size(class).is_none() {
            let known: Vec<&str> = CLASSES.iter().map(|c| c.0).collect();
            return Err(PlatformError::new(
                ErrorKind::Invalid,
                format!(
                    "InvalidParameterCombination: unknown DB instance class {class:?} (expected one of {})",
                    known.join(", ")
                ),
            ));
        }
        let Some(inst) = self.all_mut().find(|i| i.id == id) else {
            return Err(PlatformError::new(ErrorKind::NotFound, format!("DBInstanceNotFound: {id}")));
        };
        if inst.applying.is_some() {
            return Err(PlatformError::new(
                ErrorKind::Conflict,
                format!("InvalidDBInstanceState: instance {id} is modifying, not available"),
            ));
        }
        if inst.class == class {
            inst.pending_class = None;
        } else if apply_now {
            inst.start(now, class.to_string(), rng);
        } else {
            inst.pending_class = Some(class.to_string());
        }
        Ok(inst.state())
    }

    pub fn state(&self) -> RdsState {
        RdsState {
            primary: Some(self.primary.state()),
            replicas: self.replicas.iter().map(Instance::state).collect(),
            missing: Vec::new(),
        }
    }
}

// Read replicas (issue 9): CreateDBInstanceReadReplica and DeleteDBInstance on the simulator.
// A new replica is "creating" for 4 to 8 simulated minutes (RDS snapshots the primary and
// restores it), then "available" and catching up from a lag of about a minute; a deleted one is
// "deleting" for 1 to 2 minutes, then gone. Replicas being created sit at the end of the list,
// after the ones that replicate, so the replica lag model (one entry per replicating replica,
// in order) lines up with them.

/// Connections each ready API pod keeps open to each available replica in the simulator (its
/// read pool).
pub const SIM_READ_CONNS_PER_API_POD: u32 = 2;

impl Rds {
    /// The replicas that replicate (not being created): the first ones.
    pub fn replicating(&self) -> usize {
        self.replicas.iter().take_while(|r| r.streaming).count()
    }
}

impl super::engine::Simulator {
    /// CreateDBInstanceReadReplica of the primary, in `class`.
    pub fn create_db_replica(&mut self, id: &str, class: &str) -> PResult<DbInstance> {
        if class_size(class).is_none() {
            return Err(PlatformError::new(
                ErrorKind::Invalid,
                format!("InvalidParameterValue: unknown DB instance class {class:?}"),
            ));
        }
        if id == self.rds.primary.id || self.rds.replicas.iter().any(|r| r.id == id) {
            return Err(PlatformError::new(ErrorKind::Conflict, format!("DBInstanceAlreadyExists: {id}")));
        }
        if self.rds.primary.status != "available" {
            return Err(PlatformError::new(
                ErrorKind::Conflict,
                format!("InvalidDBInstanceState: the source instance is {}, not available", self.rds.primary.status),
            ));
        }
        let now = self.tick;
        let mut i = Instance::new(id, class, true);
        i.status = "creating";
        i.streaming = false;
        i.lifecycle_until = Some(now + self.rng_pods.between(240, 480));
        self.rds.replicas.push(i.clone());
        Ok(i.state())
    }

    /// DeleteDBInstance of a replica (the simulator never deletes its primary).
    pub fn delete_db_replica(&mut self, id: &str) -> PResult<DbInstance> {
        let now = self.tick;
        let until = now + self.rng_pods.between(60, 120);
        let Some(i) = self.rds.replicas.iter_mut().find(|r| r.id == id) else {
            return Err(PlatformError::new(ErrorKind::NotFound, format!("DBInstanceNotFound: {id}")));
        };
        if i.status == "deleting" {
            return Err(PlatformError::new(
                ErrorKind::Conflict,
                format!("InvalidDBInstanceState: {id} is already being deleted"),
            ));
        }
        i.status = "deleting";
        i.lifecycle_until = Some(until);
        Ok(i.state())
    }

    /// A replica's lag, seconds: None while it does not replicate yet.
    pub fn db_replica_lag(&self, id: &str) -> PResult<Option<f64>> {
        let idx = self.replica_index(id)?;
        Ok(if idx < self.rds.replicating() { self.pg.lag.get(idx).copied() } else { None })
    }

    /// Client connections open on a replica: the API pods' read pools once it is available.
    pub fn db_replica_connections(&self, id: &str) -> PResult<u32> {
        let idx = self.replica_index(id)?;
        let r = &self.rds.replicas[idx];
        Ok(match r.status {
            "available" | "modifying" => {
                self.deployment_state(crate::model::state::Workload::Api).ready * SIM_READ_CONNS_PER_API_POD
            }
            _ => 0,
        })
    }

    /// SELECT 1 on a replica: the round trip, ms; refused unless it is available.
    pub fn db_replica_ping(&self, id: &str) -> PResult<f64> {
        let idx = self.replica_index(id)?;
        let r = &self.rds.replicas[idx];
        if r.status != "available" && r.status != "modifying" {
            return Err(PlatformError::new(
                ErrorKind::Unavailable,
                format!("connection to {id} refused: the instance is {}", r.status),
            ));
        }
        Ok(self.pg.round_trip_ms)
    }

    fn replica_index(&self, id: &str) -> PResult<usize> {
        self.rds
            .replicas
            .iter()
            .position(|r| r.id == id)
            .ok_or_else(|| PlatformError::new(ErrorKind::NotFound, format!("DBInstanceNotFound: {id}")))
    }

    /// One second of the instances: class changes, then replicas created or deleted (a new
    /// replica starts replicating about a minute behind; a deleted one leaves the lag model).
    pub(super) fn step_rds(&mut self, now: u64) {
        self.rds.step(now, &mut self.rng_pods);
        let mut idx = 0;
        while idx < self.rds.replicas.len() {
            let r = &self.rds.replicas[idx];
            let due = r.lifecycle_until.is_some_and(|t| now >= t);
            let streaming = r.streaming;
            if !due {
                idx += 1;
                continue;
            }
            if r.status == "deleting" {
                self.rds.replicas.remove(idx);
                if streaming && idx < self.pg.lag.len() {
                    self.pg.lag.remove(idx);
                }
                continue;
            }
            // Created: it moves to the end of the replicating ones and starts behind.
            let mut r = self.rds.replicas.remove(idx);
            r.status = "available";
            r.lifecycle_until = None;
            r.streaming = true;
            let at = self.rds.replicating();
            self.rds.replicas.insert(at, r);
            let behind = 45.0 + self.rng_pods.between(0, 30) as f64;
            self.pg.lag.insert(at.min(self.pg.lag.len()), behind);
            idx += 1;
        }
    }
}
