//! The `hyperinterp` command as a user runs it: its help lists the
//! subcommands, `discover --quick` writes the full report, `merge` reads it,
//! `demo` and `classify --demo` work, bad input is an error with status 1;
//! and, where Python with numpy and safetensors is at hand, a Python reader
//! that uses none of this project's code reproduces the report's NMSEs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn hyperinterp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hyperinterp"))
        .args(args)
        .output()
        .expect("the hyperinterp binary runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hyperinterp-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn help_lists_every_subcommand() {
    let output = hyperinterp(&["--help"]);
    assert!(output.status.success());
    let help = text(&output);
    for subcommand in ["discover", "sweep", "merge", "generate", "classify", "demo"] {
        assert!(
            help.contains(subcommand),
            "{subcommand} missing from:\n{help}"
        );
    }
}

#[test]
fn bad_input_is_an_error_with_status_1_not_a_panic() {
    let output = hyperinterp(&["merge", "/no/such/report.json"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(text(&output).contains("/no/such/report.json"));
    assert!(!text(&output).contains("panicked"));
    let output = hyperinterp(&["discover", "--quick", "--config", "configs/base.toml"]);
    assert!(!output.status.success());
}

#[test]
fn quick_discover_writes_the_report_that_merge_and_python_read() {
    let out = scratch("discover");
    let dir = out.to_str().unwrap();
    let output = hyperinterp(&["discover", "--quick", "--out", dir]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(text(&output).contains("Blind run"));
    for file in [
        "report.json",
        "report.html",
        "networks.safetensors",
        "checkpoint.safetensors",
        "metrics.jsonl",
        "evaluations.jsonl",
    ] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    let merged = out.join("merged.json");
    let output = hyperinterp(&["merge", dir, dir, "--out", merged.to_str().unwrap()]);
    assert!(output.status.success(), "{}", text(&output));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&merged).unwrap()).unwrap();
    assert_eq!(summary["seeds"], 2);
    assert_eq!(summary["guidance"]["blind"], true);

    python_check(&out);
    let _ = std::fs::remove_dir_all(&out);
}

/// Runs tests/python/check_exports.py on a report folder when Python with
/// numpy and safetensors is installed (CI installs them); says so otherwise.
fn python_check(out: &Path) {
    let available = Command::new("python3")
        .args(["-c", "import numpy, safetensors"])
        .output()
        .is_ok_and(|output| output.status.success());
    if !available {
        eprintln!("python3 with numpy and safetensors not found: the Python check did not run");
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/check_exports.py");
    let output = Command::new("python3")
        .arg(script)
        .arg(out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output));

    // The README's Python reader, run as written on this report.
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let reader = readme
        .split("```python")
        .skip(1)
        .filter_map(|block| block.split("```").next())
        .find(|block| block.contains("safe_open"))
        .expect("the README has a Python reader")
        .replace("runs/discover", out.to_str().unwrap());
    let output = Command::new("python3")
        .args(["-c", &reader])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains("hyperinterp-mlp"),
        "{}",
        text(&output)
    );

    // The README's Python writer (a network trained elsewhere, here made up
    // with numpy), then `classify` on what it wrote.
    let writer = readme
        .split("```python")
        .skip(1)
        .filter_map(|block| block.split("```").next())
        .find(|block| block.contains("save_file"))
        .expect("the README has a Python writer");
    let weights = "import numpy as np\nrng = np.random.default_rng(0)\n\
        W = rng.standard_normal((12, 4)).astype(np.float32)\n\
        b = np.zeros(12, np.float32)\na = np.ones(12, np.float32)\nc = np.zeros(1, np.float32)\n";
    let output = Command::new("python3")
        .args(["-c", &format!("{weights}{writer}")])
        .current_dir(out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output));
    let output = hyperinterp(&["classify", out.join("mine.safetensors").to_str().unwrap()]);
    assert!(output.status.success(), "{}", text(&output));
    let line: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&output.stdout).trim()).unwrap();
    assert_eq!(
        (line["n"].clone(), line["m"].clone()),
        (4.into(), 12.into())
    );
    assert_eq!(line["activation"], "relu");
}

#[test]
fn demo_and_classify_demo_run() {
    let out = scratch("demo");
    let output = hyperinterp(&["demo", "--out", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", text(&output));
    let report = std::fs::read_to_string(out.join("report.json")).unwrap();
    assert!(
        report.contains("\"blind\": false"),
        "a demo is no blind run"
    );

    let output = hyperinterp(&["classify", "--demo"]);
    assert!(output.status.success(), "{}", text(&output));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["algorithm"], "double_sided");
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn sweep_prints_one_discover_command_per_seed() {
    let output = hyperinterp(&["sweep", "--seeds", "3,4", "--print", "--out", "runs/s"]);
    assert!(output.status.success(), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].starts_with("hyperinterp discover --seed 3 --out runs/s/seed-3"));
}

#[test]
fn sweep_slurm_writes_an_array_per_seed_and_a_merge_that_waits_for_it() {
    let out = scratch("slurm");
    let dir = out.to_str().unwrap();
    let output = hyperinterp(&[
        "sweep",
        "--quick",
        "--seeds",
        "3,5",
        "--out",
        dir,
        "--slurm",
        "--slurm-time",
        "00:10:00",
    ]);
    assert!(output.status.success(), "{}", text(&output));
    let read = |name: &str| std::fs::read_to_string(out.join("slurm").join(name)).unwrap();
    let array = read("seeds.sbatch");
    assert!(array.contains("#SBATCH --array=0-1"), "{array}");
    assert!(array.contains("seeds=(3 5)"), "{array}");
    assert!(array.contains("#SBATCH --time=00:10:00"), "{array}");
    // The jobs run this very binary, found without being named.
    assert!(array.contains(env!("CARGO_BIN_EXE_hyperinterp")), "{array}");
    assert!(array.contains("--quick"), "{array}");
    assert!(read("merge.sbatch").contains(&format!("merge {dir}/seed-3 {dir}/seed-5")));
    assert!(read("submit.sh").contains("--dependency=afterok:"));
    // No seed ran here.
    assert!(!out.join("seed-3").exists());
    // Submitting where Slurm is missing is an error that says so.
    let output = Command::new(env!("CARGO_BIN_EXE_hyperinterp"))
        .args(["sweep", "--quick", "--out", dir, "--slurm", "--submit"])
        .env("PATH", out.join("slurm"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(text(&output).contains("sbatch"), "{}", text(&output));
    // Slurm options without --slurm are refused.
    assert!(
        !hyperinterp(&["sweep", "--quick", "--slurm-partition", "gpu"])
            .status
            .success()
    );
}
