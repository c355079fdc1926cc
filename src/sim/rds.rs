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
