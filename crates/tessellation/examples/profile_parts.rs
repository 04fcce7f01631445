//! Splits the cost of one tessellation into triangulation and normalization (diagnostic, not a test).
use starmill_tessellation::{Normalization, Options, Tessellator};
use std::time::Instant;
fn main() {
    let name = std::env::args().nth(1).unwrap_or_else(|| "orbit_loop_3d_n200".into());
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/golden/tessellation")
        .join(format!("{name}.npy"));
    let a = starmill_io::read_array(&path).unwrap();
    let ndim = a.shape[1];
    let mut t = Tessellator::new();
    let only = std::env::var("ROUTINE").ok();
    for routine in Normalization::available(ndim).iter().filter(|r| only.as_deref().is_none_or(|o| o == r.name())) {
        let o = Options { normalization: Some(*routine), ..Options::default() };
        let mut best = f64::INFINITY;
        for _ in 0..std::env::var("ITER").ok().and_then(|v| v.parse().ok()).unwrap_or(200) {
            let t0 = Instant::now();
            t.tessellate(&a.data, ndim, &o).unwrap();
            best = best.min(t0.elapsed().as_secs_f64() * 1e3);
        }
        println!("{name} {routine}: {best:.4} ms");
    }
}
