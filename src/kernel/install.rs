//! `flow kernel install`: the kernelspec Jupyter finds flow by — `kernel.json` (how to start
//! this binary, `interrupt_mode: "message"`) and two logos — written where Jupyter looks: the
//! user's data directory, the Python environment's prefix, or a given prefix.

use serde_json::json;
use std::path::{Path, PathBuf};

/// Where to install.
pub enum Place {
    /// The user's Jupyter data directory (`$JUPYTER_DATA_DIR`, else `$XDG_DATA_HOME/jupyter` or
    /// `~/.local/share/jupyter`; `~/Library/Jupyter` on macOS).
    User,
    /// The active Python environment (`$VIRTUAL_ENV`, `$CONDA_PREFIX`, else `sys.prefix` of
    /// `python3`): what `jupyter` from that environment reads.
    SysPrefix,
    /// `PREFIX/share/jupyter`.
    Prefix(PathBuf),
}

/// Write the kernelspec; the directory it is in.
pub fn install(place: &Place) -> Result<PathBuf, String> {
    let data = match place {
        Place::User => user_data_dir()?,
        Place::SysPrefix => python_prefix()?.join("share").join("jupyter"),
        Place::Prefix(prefix) => prefix.join("share").join("jupyter"),
    };
    let kernels = data.join("kernels");
    std::fs::create_dir_all(&kernels)
        .map_err(|e| format!("cannot create `{}`: {e}", kernels.display()))?;
    let executable = std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .map_err(|e| format!("cannot find flow's own executable: {e}"))?;
    let spec = json!({
        "argv": [executable.to_string_lossy(), "kernel", "-f", "{connection_file}"],
        "display_name": "flow",
        "language": "flow",
        "interrupt_mode": "message",
        "metadata": {},
    });
    // Written beside the final directory, then renamed into place: never half a kernelspec.
    let target = kernels.join("flow");
    let staging = kernels.join(format!(".flow-{}", std::process::id()));
    let written = write_spec(&staging, &spec).and_then(|()| {
        if target.exists() {
            std::fs::remove_dir_all(&target)?;
        }
        std::fs::rename(&staging, &target)
    });
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(format!("cannot write `{}`: {e}", target.display()));
    }
    Ok(target)
}

fn write_spec(directory: &Path, spec: &serde_json::Value) -> std::io::Result<()> {
    std::fs::create_dir_all(directory)?;
    let text = serde_json::to_string_pretty(spec).expect("JSON");
    std::fs::write(directory.join("kernel.json"), text + "\n")?;
    for size in [32, 64] {
        logo(size)
            .save(directory.join(format!("logo-{size}x{size}.png")))
            .map_err(std::io::Error::other)?;
    }
    Ok(())
}

/// flow's logo: three waves, light on deep blue.
fn logo(size: u32) -> image::RgbaImage {
    let background = image::Rgba([21, 67, 120, 255]);
    let wave = image::Rgba([160, 220, 255, 255]);
    let mut picture = image::RgbaImage::from_pixel(size, size, background);
    let s = size as f64;
    for x in 0..size {
        for k in 0..3 {
            let centre = s * (0.3 + 0.2 * k as f64);
            let y = centre + s * 0.08 * (x as f64 / s * std::f64::consts::TAU).sin();
            let thickness = (s / 16.0).max(1.0);
            let (low, high) = ((y - thickness) as u32, (y + thickness) as u32);
            for y in low..=high.min(size - 1) {
                picture.put_pixel(x, y, wave);
            }
        }
    }
    picture
}

fn user_data_dir() -> Result<PathBuf, String> {
    let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = set("JUPYTER_DATA_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let home = set("HOME").map(PathBuf::from);
    if cfg!(target_os = "macos") {
        if let Some(home) = home {
            return Ok(home.join("Library").join("Jupyter"));
        }
    }
    if let Some(data) = set("XDG_DATA_HOME") {
        return Ok(PathBuf::from(data).join("jupyter"));
    }
    home.map(|h| h.join(".local").join("share").join("jupyter"))
        .ok_or_else(|| "no HOME: give --prefix".to_string())
}

fn python_prefix() -> Result<PathBuf, String> {
    for variable in ["VIRTUAL_ENV", "CONDA_PREFIX"] {
        if let Some(prefix) = std::env::var_os(variable).filter(|p| !p.is_empty()) {
            return Ok(PathBuf::from(prefix));
        }
    }
    let output = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.prefix)"])
        .output()
        .map_err(|e| format!("no active Python environment and no python3 to ask: {e}"))?;
    let prefix = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if !output.status.success() || prefix.is_empty() {
        return Err("python3 did not say its sys.prefix; give --prefix".into());
    }
    Ok(PathBuf::from(prefix))
}
