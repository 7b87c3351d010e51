//! Writes a demo report to `runs/report_demo/` to look at the page `discover`
//! writes; the same as `hyperinterp demo`.

fn main() -> std::process::ExitCode {
    hyperinterp::cli::main_with(Some("demo"))
}
