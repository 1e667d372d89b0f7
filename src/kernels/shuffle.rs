//! Splitting partitions by a hash of join keys, so that two frames of many partitions join
//! bucket by bucket (Dask's hash join): rows with equal keys fall in the same bucket on both
//! sides, so joining bucket k of the left with bucket k of the right finds all their matches.

use crate::frame::ColType;
use polars::prelude as pl;
use polars::prelude::{SeedableFromU64SeedExt, VecHash};

/// The column a split partition carries its rows' buckets in (rows in bucket order).
const BUCKET: &str = "__flow_bucket";

/// The rows of `rows` in bucket order (a row's order within its bucket kept), each row's bucket
/// — the hash of its `keys`, each cast to the given type so that both sides hash alike, modulo
/// `buckets` — in a column of its own.
pub fn split(
    rows: &pl::DataFrame,
    keys: &[(String, ColType)],
    buckets: usize,
) -> Result<pl::DataFrame, String> {
    let text = |e: pl::PolarsError| e.to_string();
    let state = pl::PlSeedableRandomStateQuality::seed_from_u64(0);
    let mut hashes: Vec<u64> = Vec::new();
    for (k, (name, dtype)) in keys.iter().enumerate() {
        let column = rows
            .column(name)
            .map_err(text)?
            .cast(&dtype.polars())
            .map_err(text)?;
        let series = column.as_materialized_series();
        let first = k == 0;
        let hashed = match dtype {
            ColType::Int => hash(series.i64().map_err(text)?, &state, &mut hashes, first),
            ColType::Float => hash(series.f64().map_err(text)?, &state, &mut hashes, first),
            ColType::Bool => hash(series.bool().map_err(text)?, &state, &mut hashes, first),
            _ => hash(series.str().map_err(text)?, &state, &mut hashes, first),
        };
        hashed.map_err(text)?;
    }
    let bucket_of: Vec<u32> = hashes.iter().map(|h| (h % buckets as u64) as u32).collect();
    // A counting sort of the rows by bucket.
    let mut starts = vec![0usize; buckets + 1];
    for &b in &bucket_of {
        starts[b as usize + 1] += 1;
    }
    for b in 0..buckets {
        starts[b + 1] += starts[b];
    }
    let mut order = vec![0 as pl::IdxSize; bucket_of.len()];
    let mut sorted_buckets = vec![0u32; bucket_of.len()];
    for (row, &b) in bucket_of.iter().enumerate() {
        let at = &mut starts[b as usize];
        order[*at] = row as pl::IdxSize;
        sorted_buckets[*at] = b;
        *at += 1;
    }
    let order = pl::IdxCa::from_vec("".into(), order);
    let mut sorted = rows.take(&order).map_err(text)?;
    let buckets = pl::UInt32Chunked::from_vec(BUCKET.into(), sorted_buckets);
    sorted
        .with_column(pl::Column::from(pl::IntoSeries::into_series(buckets)))
        .map_err(text)?;
    Ok(sorted)
}

/// Hash `values` into `hashes` (the first key) or combine their hashes with those there.
fn hash(
    values: &impl VecHash,
    state: &pl::PlSeedableRandomStateQuality,
    hashes: &mut Vec<u64>,
    first: bool,
) -> pl::PolarsResult<()> {
    match first {
        true => values.vec_hash(state.clone(), hashes),
        false => values.vec_hash_combine(state.clone(), hashes),
    }
}

/// The rows of bucket `bucket` of split partitions, one after another (without the bucket
/// column).
pub fn bucket(parts: &[&pl::DataFrame], bucket: u32) -> Result<pl::DataFrame, String> {
    let text = |e: pl::PolarsError| e.to_string();
    let mut rows: Option<pl::DataFrame> = None;
    for part in parts {
        let column = part
            .column(BUCKET)
            .map_err(text)?
            .u32()
            .map_err(text)?
            .rechunk();
        let buckets = column.cont_slice().map_err(text)?;
        let start = buckets.partition_point(|&b| b < bucket);
        let end = buckets.partition_point(|&b| b <= bucket);
        let piece = part
            .slice(start as i64, end - start)
            .drop(BUCKET)
            .map_err(text)?;
        match &mut rows {
            None => rows = Some(piece),
            Some(rows) => {
                rows.vstack_mut_owned(piece).map_err(text)?;
            }
        }
    }
    rows.ok_or_else(|| "a bucket of no partitions".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_hold_equal_keys_on_both_sides_and_every_row_once() {
        let left = pl::DataFrame::new(
            6,
            vec![
                pl::Column::new("k".into(), [1i64, 2, 3, 1, 2, 3]),
                pl::Column::new("x".into(), [10i64, 20, 30, 40, 50, 60]),
            ],
        )
        .unwrap();
        let right =
            pl::DataFrame::new(3, vec![pl::Column::new("k".into(), [3.0f64, 1.0, 2.0])]).unwrap();
        let keys = [("k".to_string(), ColType::Float)];
        let (l, r) = (
            split(&left, &keys, 4).unwrap(),
            split(&right, &keys, 4).unwrap(),
        );
        let mut rows = 0;
        for b in 0..4 {
            let (lb, rb) = (bucket(&[&l], b).unwrap(), bucket(&[&r], b).unwrap());
            rows += lb.height();
            let lk: Vec<f64> = lb
                .column("k")
                .unwrap()
                .cast(&pl::DataType::Float64)
                .unwrap()
                .f64()
                .unwrap()
                .into_no_null_iter()
                .collect();
            let rk: Vec<f64> = rb
                .column("k")
                .unwrap()
                .f64()
                .unwrap()
                .into_no_null_iter()
                .collect();
            for k in &lk {
                assert!(
                    rk.contains(k),
                    "key {k} of bucket {b} is in another bucket on the right"
                );
            }
            // Within a bucket, rows keep their order.
            let xs: Vec<i64> = lb
                .column("x")
                .unwrap()
                .i64()
                .unwrap()
                .into_no_null_iter()
                .collect();
            assert!(xs.windows(2).all(|w| w[0] < w[1]));
        }
        assert_eq!(rows, 6);
    }
}
