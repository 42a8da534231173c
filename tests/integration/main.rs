//! Integration tests: the real `sobes` binary, run as a user would run it.

mod bad_input;
mod batch;
mod browser;
mod cli;
mod embed;
mod eval;
mod grade_props;
mod graded;
mod import;
mod interview;
mod issue16;
mod llm;
mod report;
mod semantic_measure;
mod serve;
mod settings;
mod util;
