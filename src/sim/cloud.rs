//! CloudWatch's view: the same figures as the models, averaged over about half a minute the
//! way a metric period smooths them.

use crate::model::state::CloudState;

/// Weight of the newest second in the running averages (~30 s window).
const ALPHA: f64 = 2.0 / 31.0;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cloud {
    started: bool,
    pub api_p99_ms: f64,
    pub api_5xx_pct: f64,
    pub api_rps: f64,
    pub db_cpu_pct: f64,
    pub db_free_memory: f64,
    pub db_connections: f64,
    pub cache_memory_pct: f64,
    pub cache_cpu_pct: f64,
}

/// One second of raw values, in CloudState's order.
pub type CloudSample = [f64; 8];

impl Cloud {
    pub fn update(&mut self, s: CloudSample) {
        let fields = [
            &mut self.api_p99_ms,
            &mut self.api_5xx_pct,
            &mut self.api_rps,
            &mut self.db_cpu_pct,
            &mut self.db_free_memory,
            &mut self.db_connections,
            &mut self.cache_memory_pct,
            &mut self.cache_cpu_pct,
        ];
        for (f, v) in fields.into_iter().zip(s) {
            let v = if v.is_finite() { v } else { 0.0 };
            *f = if self.started { *f + ALPHA * (v - *f) } else { v };
        }
        self.started = true;
    }

    pub fn state(&self) -> CloudState {
        CloudState {
            gaps: Default::default(),
            api_p99_ms: Some(self.api_p99_ms),
            api_5xx_pct: Some(self.api_5xx_pct),
            api_rps: Some(self.api_rps),
            db_cpu_pct: Some(self.db_cpu_pct),
            db_free_memory: Some(self.db_free_memory),
            db_connections: Some(self.db_connections),
            cache_memory_pct: Some(self.cache_memory_pct),
            cache_cpu_pct: Some(self.cache_cpu_pct),
        }
    }
}
