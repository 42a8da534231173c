//! `sobes config show|default|paths`.

use super::AppContext;
use crate::cli::ConfigCommand;
use crate::config::{config_path, ConfigRequest, DEFAULT_CONFIG_TOML};
use crate::error::ExitStatus;
use crate::output::{out, outln};

pub fn command(
    command: ConfigCommand,
    request: &ConfigRequest,
    context: &AppContext,
) -> anyhow::Result<ExitStatus> {
    match command {
        ConfigCommand::Show => out!("{}", context.config.to_shown_toml())?,
        ConfigCommand::Default => out!("{DEFAULT_CONFIG_TOML}")?,
        ConfigCommand::Paths => {
            match config_path(request) {
                Some(found) => outln!(
                    "config file: {} (from {}; {})",
                    found.path.display(),
                    found.origin,
                    if found.exists {
                        "exists"
                    } else {
                        "not present"
                    }
                )?,
                None => outln!("config file: none (--no-config)")?,
            }
            if let Some(dir) = crate::config::data_dir() {
                outln!("data directory: {}", dir.display())?;
            }
        }
    }
    Ok(ExitStatus::Success)
}
