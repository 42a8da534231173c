//! Inline SVG charts drawn by sobes: no scripts, no fonts or files from elsewhere. They scale
//! with the page (viewBox, width 100%) and print as vectors.

use std::fmt::Write as _;

use super::html::esc;
use crate::ui::{truncate, Band};

const WIDTH: f64 = 640.0;
const LABEL_WIDTH: f64 = 190.0;
const ROW: f64 = 26.0;

fn color(score: f64) -> &'static str {
    match Band::of(score) {
        Band::Good => "#2e7d32",
        Band::Fair => "#c77700",
        Band::Poor => "#c62828",
    }
}

/// Horizontal bars of scores 0–100, one row per item, with optional vertical marks
/// (e.g. the pass mark) labelled at the top.
pub fn bars(title: &str, items: &[(String, f64)], marks: &[(f64, &str)]) -> String {
    let top = 22.0;
    let height = top + ROW * items.len().max(1) as f64 + 8.0;
    let plot = WIDTH - LABEL_WIDTH - 50.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" role="img" aria-label="{title}" viewBox="0 0 {WIDTH} {height}" width="100%" xmlns="http://www.w3.org/2000/svg"><title>{title}</title>"#,
        title = esc(title),
    );
    for (i, (label, value)) in items.iter().enumerate() {
        let y = top + ROW * i as f64;
        let value = value.clamp(0.0, 100.0);
        let width = (plot * value / 100.0).max(1.0);
        let _ = write!(
            svg,
            r#"<text x="{lx}" y="{ty}" text-anchor="end" class="label">{label}</text><rect x="{LABEL_WIDTH}" y="{ry}" width="{plot}" height="16" class="track"/><rect class="bar" x="{LABEL_WIDTH}" y="{ry}" width="{width:.1}" height="16" fill="{fill}"/><text x="{vx:.1}" y="{ty}" class="value">{value:.0}</text>"#,
            lx = LABEL_WIDTH - 8.0,
            ty = y + 13.0,
            ry = y + 1.0,
            label = esc(&truncate(label, 28)),
            fill = color(value),
            vx = LABEL_WIDTH + plot + 6.0,
        );
    }
    for (at, name) in marks {
        let x = LABEL_WIDTH + plot * at.clamp(0.0, 100.0) / 100.0;
        let _ = write!(
            svg,
            r#"<line x1="{x:.1}" y1="14" x2="{x:.1}" y2="{y2}" class="mark"/><text x="{x:.1}" y="11" text-anchor="middle" class="mark-label">{name} {at:.0}</text>"#,
            y2 = height - 6.0,
            name = esc(name),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A line of scores over sessions, with a dot per session; gaps where a session had none.
pub fn line(title: &str, points: &[(String, Option<f64>)]) -> String {
    let height = 220.0;
    let (left, right, top, bottom) = (40.0, 16.0, 14.0, 30.0);
    let plot_w = WIDTH - left - right;
    let plot_h = height - top - bottom;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" role="img" aria-label="{title}" viewBox="0 0 {WIDTH} {height}" width="100%" xmlns="http://www.w3.org/2000/svg"><title>{title}</title>"#,
        title = esc(title),
    );
    for tick in [0.0, 50.0, 100.0] {
        let y = top + plot_h * (1.0 - tick / 100.0);
        let _ = write!(
            svg,
            r#"<line x1="{left}" y1="{y:.1}" x2="{x2}" y2="{y:.1}" class="grid"/><text x="{tx}" y="{ty:.1}" text-anchor="end" class="label">{tick:.0}</text>"#,
            x2 = WIDTH - right,
            tx = left - 6.0,
            ty = y + 4.0,
        );
    }
    let n = points.len();
    let x_of = |i: usize| {
        if n <= 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y_of = |v: f64| top + plot_h * (1.0 - v.clamp(0.0, 100.0) / 100.0);
    let mut path = String::new();
    let mut pen_down = false;
    for (i, (_, value)) in points.iter().enumerate() {
        match value {
            Some(v) => {
                let _ = write!(
                    path,
                    "{}{:.1},{:.1} ",
                    if pen_down { "L" } else { "M" },
                    x_of(i),
                    y_of(*v)
                );
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    if !path.is_empty() {
        let _ = write!(svg, r#"<path d="{}" class="line"/>"#, path.trim_end());
    }
    // Label at most about ten sessions so the axis stays readable.
    let step = n.div_ceil(10).max(1);
    for (i, (label, value)) in points.iter().enumerate() {
        if let Some(v) = value {
            let _ = write!(
                svg,
                r#"<circle cx="{:.1}" cy="{:.1}" r="4" class="dot" fill="{}"><title>{}: {v:.0}</title></circle>"#,
                x_of(i),
                y_of(*v),
                color(*v),
                esc(label)
            );
        }
        if i % step == 0 || i + 1 == n {
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{}" text-anchor="middle" class="label">{}</text>"#,
                x_of(i),
                height - 10.0,
                esc(label)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_labels_and_draw_every_item() {
        let svg = bars(
            "t<",
            &[("<b>".to_owned(), 50.0), ("ok".to_owned(), 120.0)],
            &[(70.0, "pass")],
        );
        assert!(svg.contains("&lt;b&gt;"));
        assert!(!svg.contains("<b>"));
        assert_eq!(svg.matches(r#"class="bar""#).count(), 2);
        let svg = line(
            "p",
            &[
                ("1".into(), Some(10.0)),
                ("2".into(), None),
                ("3".into(), Some(90.0)),
            ],
        );
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains(r#"d="M"#));
    }
}
