//! The runbook's procedures, one file each. To add one: write its file (a type implementing
//! `Procedure`) and add one line to the list below.

mod common;

use super::procedure::Procedure;

macro_rules! registry {
    ($($module:ident :: $ty:ident),* $(,)?) => {
        $(mod $module;)*
        /// Every procedure, in menu order.
        pub fn all() -> Vec<Box<dyn Procedure>> {
            vec![$(Box::new($module::$ty)),*]
        }
    };
}

registry! {
    scale_api::ScaleApi,
    scale_workers::ScaleWorkers,
    drain_workers::DrainWorkers,
    emergency::Emergency,
    reenable_hpa::ReenableHpa,
    resize_workers::ResizeWorkers,
    resize_db::ResizeDb,
    // Read replicas (issue 9)
    add_replica::AddReplica,
    remove_replica::RemoveReplica,
    // Redis cluster (issue 9)
    scale_redis::ScaleRedis,
}

// Redis cluster (issue 9)
pub use scale_redis::{lightest_node_groups, unsteady};
