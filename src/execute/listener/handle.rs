//! The run's handle on its callback listener: started by the first case that needs it,
//! or one the caller started first (the default run, so that the reference server can be
//! told the shared notification URL before it starts).

use std::sync::Arc;

use tokio::sync::OnceCell;

use super::{Listener, ListenerError};
use crate::target::ListenerConfig;

/// Starts the run's listener the first time a case needs one, and hands the same one
/// to every later case.
#[derive(Debug)]
pub struct ListenerHandle {
    config: ListenerConfig,
    cell: OnceCell<Arc<Listener>>,
}

impl ListenerHandle {
    pub fn new(config: ListenerConfig) -> ListenerHandle {
        ListenerHandle::with(config, None)
    }

    /// A handle on `running` when given (started by the caller, who keeps it), else one
    /// that starts a listener as `config` says on first use.
    pub fn with(config: ListenerConfig, running: Option<Arc<Listener>>) -> ListenerHandle {
        ListenerHandle {
            config,
            cell: OnceCell::new_with(running),
        }
    }

    /// The listener, started now if it was not yet; a failed start is retried by the
    /// next call.
    pub async fn get_or_start(&self) -> Result<&Listener, ListenerError> {
        self.cell
            .get_or_try_init(|| async { Listener::from_config(&self.config).await.map(Arc::new) })
            .await
            .map(|l| &**l)
    }

    /// The listener if a case has started it.
    pub fn get(&self) -> Option<&Listener> {
        self.cell.get().map(|l| &**l)
    }
}
