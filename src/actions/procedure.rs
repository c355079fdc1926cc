//! The one trait every procedure implements: a form prefilled from the board, and a plan made
//! against the platform as it is now.

use super::error::ActionError;
use super::form::Form;
use super::settings::ActionSettings;
use super::step::Plan;
use crate::model::Board;
use crate::platform::Platform;
use async_trait::async_trait;
use std::sync::Arc;

/// What a form is prefilled from.
pub struct FormCx<'a> {
    pub board: &'a Board,
    pub settings: &'a ActionSettings,
}

/// What a plan is made from: reads of the platform (never writes), the board's history and
/// formulas, the settings.
pub struct PlanCx {
    pub platform: Arc<dyn Platform>,
    pub settings: ActionSettings,
    pub board: Board,
}

#[async_trait]
pub trait Procedure: Send + Sync {
    /// "scale-api": the name keys and the command line use.
    fn name(&self) -> &'static str;
    /// One line for the menu.
    fn summary(&self) -> &'static str;
    /// What it does, and where and why it differs from the runbook.
    fn help(&self) -> &'static str;
    fn form(&self, cx: &FormCx<'_>) -> Form;
    /// Read the platform and lay out the steps with their preflight findings. Changes nothing.
    async fn plan(&self, cx: &PlanCx, form: &Form) -> Result<Plan, ActionError>;
}
