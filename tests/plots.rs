//! Pictures checked as files: SVG structure (bars, points, labels, colour bar, NaN cells) and PNG
//! size and a checksum of a deterministic render.

use std::path::{Path, PathBuf};
use std::process::Command;

fn render(script: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "flow-plots-{}-{}",
        std::process::id(),
        script.len()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("pictures.flow"), script).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_flow"))
        .args(["run", "pictures.flow"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    dir
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The pixels of the line picture below, as rendered with the embedded font.
const EXPECTED_LINE_CHECKSUM: u64 = 0x844a_9300_6264_04d9;

/// FNV-1a of the decoded pixels.
fn pixel_checksum(path: &Path) -> (u32, u32, u64) {
    let image = image::open(path).unwrap().to_rgb8();
    let hash = image
        .as_raw()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
            (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
        });
    (image.width(), image.height(), hash)
}

#[test]
fn a_histogram_is_a_bar_per_bin_with_its_labels() {
    let dir = render("counts, edges = histogram(arange(100.0), bins=20, range=(0, 100))\nplot((counts, edges), \"bars.svg\", title=\"twenty bins\", xlabel=\"value\", ylabel=\"count\")\n");
    let svg = read(&dir, "bars.svg");
    assert_eq!(
        svg.matches("opacity=\"0.7\" fill=\"#0000FF\"").count(),
        20,
        "one bar per bin"
    );
    for label in ["twenty bins", "value", "count"] {
        assert!(svg.contains(label), "missing label {label}");
    }
    assert!(
        !dir.read_dir().unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains(".flow-")),
        "no temporary file left"
    );
}

#[test]
fn a_1d_array_is_a_line_of_its_points() {
    let dir = render("plot(sin(arange(50.0) / 5), \"line.svg\", title=\"sine\")\n");
    let svg = read(&dir, "line.svg");
    let longest = svg
        .split("<polyline")
        .skip(1)
        .map(|p| {
            p.split("points=\"")
                .nth(1)
                .and_then(|q| q.split('"').next())
                .map_or(0, |points| points.split_whitespace().count())
        })
        .max()
        .unwrap();
    assert_eq!(longest, 50, "the data line has a point per value");
}

#[test]
fn a_2d_array_is_a_heat_map_with_a_colour_bar_and_grey_nan() {
    let dir = render("x = array([[1.0, 2.0, nan, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0]])\nplot(x, \"map.svg\", xlabel=\"lon\", ylabel=\"lat\")\n");
    let svg = read(&dir, "map.svg");
    // The cells are one embedded PNG (not a rectangle each); the colour bar is 64 swatches.
    assert_eq!(svg.matches("<image").count(), 1);
    let rects = svg.matches("<rect").count();
    assert!(rects <= 1 + 64 + 2, "no rectangle per cell: {rects}");
    let data = svg
        .split("href=\"data:image/png;base64,")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the map's image as a PNG data URL");
    use base64::Engine;
    let png = base64::engine::general_purpose::STANDARD
        .decode(data)
        .expect("base64");
    let image = image::load_from_memory(&png).expect("a PNG").to_rgb8();
    let colours: std::collections::HashSet<[u8; 3]> = image.pixels().map(|p| p.0).collect();
    assert_eq!(colours.len(), 12, "a colour per cell, NaN's included");
    assert!(
        colours.contains(&[0xC8, 0xC8, 0xC8]),
        "the NaN cell is neutral grey"
    );
    assert!(svg.contains("lon") && svg.contains("lat"));
}

#[test]
fn pngs_have_their_size_and_a_deterministic_render() {
    let dir = render(
        "plot(cos(arange(100.0) / 10), \"line.png\", size=(640, 400), title=\"cosine\")\nsave_image(ones((4, 5)) * arange(5.0), \"frame.png\")\n",
    );
    let (width, height, first) = pixel_checksum(&dir.join("line.png"));
    assert_eq!((width, height), (640, 400));
    let again = render(
        "plot(cos(arange(100.0) / 10), \"line.png\", size=(640, 400), title=\"cosine\")\nsave_image(ones((4, 5)) * arange(5.0), \"frame.png\")\n ",
    );
    assert_eq!(
        pixel_checksum(&again.join("line.png")).2,
        first,
        "the same picture twice"
    );
    eprintln!("line.png pixel checksum {first:#x}");
    assert_eq!(
        first, EXPECTED_LINE_CHECKSUM,
        "the render changed; if on purpose, update EXPECTED_LINE_CHECKSUM"
    );
    let frame = image::open(dir.join("frame.png")).unwrap().to_luma8();
    assert_eq!((frame.width(), frame.height()), (5, 4));
    assert_eq!(frame.get_pixel(0, 0).0[0], 0, "the minimum is black");
    assert_eq!(frame.get_pixel(4, 3).0[0], 255, "the maximum is white");
    assert_eq!(
        frame.get_pixel(2, 1).0[0],
        127,
        "scaled as the seeds' 255 * (x - min) / (max - min)"
    );
}

#[test]
fn a_labelled_map_and_series_use_their_coordinates_names_and_units() {
    let dir = render(
        r#"lat = label(linspace(-60, 60, 5), "lat", coords={lat: linspace(-60, 60, 5)}, attrs={units: "degrees_north"})
lon = label(arange(0.0, 360.0, 90.0), "lon", coords={lon: arange(0.0, 360.0, 90.0)}, attrs={units: "degrees_east"})
days = label(arange(3.0), "time", attrs={units: "days since 2015-01-01"})
time = label(arange(3.0), "time", coords={time: days})
field = label((cos(deg2rad(lat)) * (lon + 1) + time).transpose("time", "lat", "lon").values, ("time", "lat", "lon"),
              coords={time: days, lat: lat, lon: lon}, attrs={long_name: "height", units: "m"}, name="h")
plot(field.isel(time=0), "map.svg")
plot(field.mean(("lat", "lon")), "series.svg")
"#,
    );
    // The texts of an SVG, in order.
    let texts = |svg: &str| -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| Some(t.split_once('>')?.1.split('<').next()?.trim().to_string()))
            .collect()
    };
    let map = texts(&read(&dir, "map.svg"));
    // Title from long_name and units; axes from dimension names and coordinate units; ticks at
    // coordinate values (latitudes -60…60 upward, longitudes 0…270).
    for label in [
        "height [m]",
        "lat [degrees_north]",
        "lon [degrees_east]",
        "-60",
        "60",
        "250",
    ] {
        assert!(
            map.iter().any(|t| t == label),
            "map misses {label}: {map:?}"
        );
    }
    // A reduction keeps the name and the attributes (as xarray 2026), so the series is labelled
    // from long_name and units; time ticks are dates.
    let series = texts(&read(&dir, "series.svg"));
    for label in ["time", "height [m]", "2015-01-01", "2015-01-02"] {
        assert!(
            series.iter().any(|t| t == label),
            "series misses {label}: {series:?}"
        );
    }
}

#[test]
fn a_frame_column_pair_is_a_scatter_or_a_line() {
    let dir = render(
        r#"df = frame({year: [1990, 1991, 1992, 1993], delay: [2.5, none, 7.0, 4.0], code: ["a", "b", "c", "d"]})
plot(df, "scatter.svg", x="year", y="delay", kind="scatter")
plot(df, "line.svg", x="year", y="delay", title="delay by year")
"#,
    );
    let scatter = read(&dir, "scatter.svg");
    assert_eq!(
        scatter.matches("<circle").count(),
        3,
        "a point per row with both values"
    );
    for label in [">year<", ">delay<"] {
        assert!(
            scatter.replace(['\n', ' '], "").contains(label),
            "scatter misses {label}"
        );
    }
    let line = read(&dir, "line.svg");
    assert!(line.contains("delay by year"));
    assert!(line.contains("<polyline"), "a line through the points");
}
