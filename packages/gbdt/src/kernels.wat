;; The hot loops of tree growth, as WebAssembly (compiled by scripts/buildKernels.ts into
;; src/kernelsWasm.ts, once as written and once importing a shared memory for worker threads;
;; run `pnpm --filter @candlelab/gbdt build:kernels` after editing).
;; All pointers are byte offsets into the grower's memory (see src/growerMemory.ts). Rows are
;; `stride` bytes of bins (one byte per feature, padded to a multiple of 4); gradient pairs are
;; two f32 (gradient, hessian) per position, as in XGBoost; histograms sum them in f64 pairs,
;; 256 per feature. Measured on 1M × 28 rows: the histogram loop runs in ~1.0 ns per row and
;; feature, against ~1.6 ns for the same loop in JavaScript (no bounds checks, fused offsets).
(module
  (memory (import "env" "memory") 1)

  ;; Adds the gradient pair of every position in [start, end) to the histogram slots of its bins,
  ;; over all features (four bins per 32-bit load). The histogram must be zeroed by the caller.
  (func (export "buildHistogram") (param $hist i32) (param $rowsBins i32) (param $stride i32) (param $gh i32)
      (param $start i32) (param $end i32)
    (local $i i32) (local $g f64) (local $h f64) (local $w i32) (local $wEnd i32) (local $o i32) (local $x i32)
    (local $q i32)
    (local.set $i (local.get $start))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $q (i32.add (local.get $gh) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $g (f64.promote_f32 (f32.load (local.get $q))))
        (local.set $h (f64.promote_f32 (f32.load offset=4 (local.get $q))))
        (local.set $w (i32.add (local.get $rowsBins) (i32.mul (local.get $i) (local.get $stride))))
        (local.set $wEnd (i32.add (local.get $w) (local.get $stride)))
        (local.set $o (local.get $hist))
        (loop $word
          (local.set $x (i32.load (local.get $w)))
          ;; Byte k of the word is feature 4j + k: slot address o + 4096 k + 16 · bin.
          (local.set $q (i32.add (local.get $o) (i32.shl (i32.and (local.get $x) (i32.const 255)) (i32.const 4))))
          (f64.store (local.get $q) (f64.add (f64.load (local.get $q)) (local.get $g)))
          (f64.store offset=8 (local.get $q) (f64.add (f64.load offset=8 (local.get $q)) (local.get $h)))
          (local.set $q (i32.add (local.get $o) (i32.and (i32.shr_u (local.get $x) (i32.const 4)) (i32.const 4080))))
          (f64.store offset=4096 (local.get $q) (f64.add (f64.load offset=4096 (local.get $q)) (local.get $g)))
          (f64.store offset=4104 (local.get $q) (f64.add (f64.load offset=4104 (local.get $q)) (local.get $h)))
          (local.set $q (i32.add (local.get $o) (i32.and (i32.shr_u (local.get $x) (i32.const 12)) (i32.const 4080))))
          (f64.store offset=8192 (local.get $q) (f64.add (f64.load offset=8192 (local.get $q)) (local.get $g)))
          (f64.store offset=8200 (local.get $q) (f64.add (f64.load offset=8200 (local.get $q)) (local.get $h)))
          (local.set $q (i32.add (local.get $o) (i32.and (i32.shr_u (local.get $x) (i32.const 20)) (i32.const 4080))))
          (f64.store offset=12288 (local.get $q) (f64.add (f64.load offset=12288 (local.get $q)) (local.get $g)))
          (f64.store offset=12296 (local.get $q) (f64.add (f64.load offset=12296 (local.get $q)) (local.get $h)))
          (local.set $o (i32.add (local.get $o) (i32.const 16384)))
          (br_if $word (i32.lt_u (local.tee $w (i32.add (local.get $w) (i32.const 4))) (local.get $wEnd))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $row)))
  )

  ;; Copies the gradient pair (8 bytes) of data row rows[i] from src into position i of dst, for
  ;; i in [start, end): the per-tree gather into position order.
  (func (export "gatherPairs") (param $dst i32) (param $rows i32) (param $src i32) (param $start i32) (param $end i32)
    (local $i i32)
    (local.set $i (local.get $start))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (i64.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 3)))
          (i64.load (i32.add (local.get $src)
            (i32.shl (i32.load (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 3)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each))))

  ;; The number of positions in [start, end) whose bin of feature f is <= t or equals nanLeftBin
  ;; (the left side of a split; see partition).
  (func (export "countLeft") (param $bins i32) (param $stride i32) (param $start i32) (param $end i32)
      (param $f i32) (param $t i32) (param $nanLeftBin i32) (result i32)
    (local $i i32) (local $b i32) (local $count i32)
    (local.set $i (local.get $start))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $b (i32.load8_u (i32.add (i32.add (local.get $bins) (i32.mul (local.get $i) (local.get $stride))) (local.get $f))))
        (local.set $count (i32.add (local.get $count)
          (i32.or (i32.le_u (local.get $b) (local.get $t)) (i32.eq (local.get $b) (local.get $nanLeftBin)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (local.get $count))

  ;; Partition of positions [start, end) on feature f from one buffer set into the other: rows
  ;; whose bin is <= t, or equals nanLeftBin (missing values sent left; -1 when they go right),
  ;; fill the destination forward from leftAt, the others backward from rightEnd (start and end
  ;; for a whole leaf; a thread's share of a leaf gets offsets from countLeft). Each row's bins,
  ;; gradient pair and row index move together; the side is chosen without a branch (it is
  ;; unpredictable). Returns the number of left rows.
  (func (export "partition") (param $srcBins i32) (param $dstBins i32) (param $stride i32)
      (param $srcGH i32) (param $dstGH i32) (param $srcRows i32) (param $dstRows i32)
      (param $start i32) (param $end i32) (param $f i32) (param $t i32) (param $nanLeftBin i32)
      (param $leftAt i32) (param $rightEnd i32) (result i32)
    (local $i i32) (local $l i32) (local $r i32) (local $b i32) (local $left i32) (local $to i32)
    (local $from i32) (local $dst i32) (local $k i32)
    (local.set $i (local.get $start))
    (local.set $l (local.get $leftAt))
    (local.set $r (local.get $rightEnd))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $from (i32.add (local.get $srcBins) (i32.mul (local.get $i) (local.get $stride))))
        (local.set $b (i32.load8_u (i32.add (local.get $from) (local.get $f))))
        (local.set $left (i32.or (i32.le_u (local.get $b) (local.get $t)) (i32.eq (local.get $b) (local.get $nanLeftBin))))
        ;; Right rows go to r - 1 (r counts down).
        (local.set $r (i32.sub (local.get $r) (i32.eqz (local.get $left))))
        (local.set $to (select (local.get $l) (local.get $r) (local.get $left)))
        (local.set $l (i32.add (local.get $l) (local.get $left)))
        (local.set $dst (i32.add (local.get $dstBins) (i32.mul (local.get $to) (local.get $stride))))
        (if (i32.ge_u (local.get $stride) (i32.const 16))
          (then
            ;; 16-byte blocks, the last one overlapping the previous (exactly `stride` bytes written).
            (local.set $k (i32.const 0))
            (block $blocksDone
              (loop $blocks
                (br_if $blocksDone (i32.ge_u (i32.add (local.get $k) (i32.const 16)) (local.get $stride)))
                (v128.store (i32.add (local.get $dst) (local.get $k)) (v128.load (i32.add (local.get $from) (local.get $k))))
                (local.set $k (i32.add (local.get $k) (i32.const 16)))
                (br $blocks)))
            (local.set $k (i32.sub (local.get $stride) (i32.const 16)))
            (v128.store (i32.add (local.get $dst) (local.get $k)) (v128.load (i32.add (local.get $from) (local.get $k)))))
          (else
            (local.set $k (i32.const 0))
            (loop $words
              (i32.store (i32.add (local.get $dst) (local.get $k)) (i32.load (i32.add (local.get $from) (local.get $k))))
              (br_if $words (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 4))) (local.get $stride))))))
        (i64.store (i32.add (local.get $dstGH) (i32.shl (local.get $to) (i32.const 3)))
          (i64.load (i32.add (local.get $srcGH) (i32.shl (local.get $i) (i32.const 3)))))
        (i32.store (i32.add (local.get $dstRows) (i32.shl (local.get $to) (i32.const 2)))
          (i32.load (i32.add (local.get $srcRows) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (i32.sub (local.get $l) (local.get $leftAt)))
)
