//! `sobes serve [--listen ADDR:PORT] [--token TOKEN]`: the JSON API over HTTP.

use std::io::Write;

use super::AppContext;
use crate::bank::Bank;
use crate::cli::ServeArgs;
use crate::error::{ExitStatus, InputError};
use crate::serve::{new_token, run, ServerState};

pub fn command(
    bank: Bank,
    db: std::path::PathBuf,
    args: &ServeArgs,
    context: &AppContext,
) -> anyhow::Result<ExitStatus> {
    let token =
        match (&args.token, args.listen.ip().is_loopback()) {
            (Some(token), _) if token.trim().is_empty() => {
                return Err(InputError::Other("--token must not be empty".into()).into())
            }
            (Some(token), _) => Some(token.clone()),
            (None, true) => None,
            // Anyone on the network could reach the server: it needs a token.
            (None, false) => Some(new_token().map_err(|e| {
                anyhow::anyhow!("could not make a token ({e}); pass one with --token")
            })?),
        };
    let generated = args.token.is_none() && token.is_some();
    let state = ServerState {
        bank,
        config: context.config.clone(),
        db,
        lang: context.ui.lang,
        token: token.clone(),
    };
    run(state, args.listen, |address| {
        let mut out = std::io::stdout();
        let _ = writeln!(out, "sobes: listening on http://{address}/");
        if let (true, Some(token)) = (generated, &token) {
            let _ = writeln!(
                out,
                "sobes: token (send Authorization: Bearer TOKEN): {token}"
            );
        }
        let _ = out.flush();
    })
    .map_err(|e| InputError::Other(format!("cannot serve on {}: {e}", args.listen)))?;
    Ok(ExitStatus::Success)
}
