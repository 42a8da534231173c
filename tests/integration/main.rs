//! Integration tests: the real `sobes` binary, run as a user would run it.

mod batch;
mod cli;
mod graded;
mod import;
mod llm;
mod util;
