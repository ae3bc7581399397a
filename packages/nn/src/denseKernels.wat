;; The arithmetic of DenseMlp (src/DenseMlp.ts) as WebAssembly SIMD: one matrix product that serves
;; the forward pass, the weight and bias gradients and the back-propagated error, and the
;; activations with their derivatives. Compiled by scripts/buildKernels.ts into
;; src/denseKernelsWasm.ts; run `pnpm --filter @candlelab/nn build:kernels` after editing.
;; All pointers are byte offsets into the network's memory; all values are f32. Measured on a
;; 256 × 64 · 64 × 64 product during development: 5–6× the best JavaScript loop on typed arrays.
(module
  (memory (import "env" "memory") 1)

  ;; c[i][j] = bias[j] + Σ_p a(i, p) · b[p][j] for i < rows, j < cols, p < inner, where
  ;; a(i, p) is the f32 at a + i·aRow + p·aCol (byte strides: a row-major matrix, its transpose,
  ;; or a broadcast row), b is row-major inner × cols and c row-major rows × cols. bias = 0 means
  ;; none. Columns go 16 at a time (four vector accumulators), then 4, then one; fewer than 4
  ;; columns in all go to $narrow.
  (func (export "gemm") (param $a i32) (param $aRow i32) (param $aCol i32) (param $b i32) (param $bias i32)
      (param $c i32) (param $rows i32) (param $inner i32) (param $cols i32)
    (local $i i32) (local $j i32) (local $p i32) (local $ap i32) (local $bp i32) (local $cp i32)
    (local $bRow i32) (local $s v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $x f32) (local $acc f32)
    (if (i32.lt_u (local.get $cols) (i32.const 4))
      (then
        (call $narrow (local.get $a) (local.get $aRow) (local.get $aCol) (local.get $b) (local.get $bias)
          (local.get $c) (local.get $rows) (local.get $inner) (local.get $cols))
        (return)))
    (local.set $bRow (i32.shl (local.get $cols) (i32.const 2)))
    (block $rowsDone (loop $row
      (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $rows)))
      (local.set $j (i32.const 0))
      ;; 16 columns at a time.
      (block $done16 (loop $col16
        (br_if $done16 (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $cols)))
        (if (local.get $bias)
          (then
            (local.set $bp (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $a0 (v128.load (local.get $bp)))
            (local.set $a1 (v128.load offset=16 (local.get $bp)))
            (local.set $a2 (v128.load offset=32 (local.get $bp)))
            (local.set $a3 (v128.load offset=48 (local.get $bp))))
          (else
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $a2 (v128.const i32x4 0 0 0 0))
            (local.set $a3 (v128.const i32x4 0 0 0 0))))
        (local.set $ap (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $aRow))))
        (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $p (i32.const 0))
        (block $innerDone (loop $inner16
          (br_if $innerDone (i32.ge_u (local.get $p) (local.get $inner)))
          (local.set $s (f32x4.splat (f32.load (local.get $ap))))
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $s) (v128.load (local.get $bp)))))
          (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $s) (v128.load offset=16 (local.get $bp)))))
          (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $s) (v128.load offset=32 (local.get $bp)))))
          (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $s) (v128.load offset=48 (local.get $bp)))))
          (local.set $ap (i32.add (local.get $ap) (local.get $aCol)))
          (local.set $bp (i32.add (local.get $bp) (local.get $bRow)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $inner16)))
        (local.set $cp (i32.add (local.get $c)
          (i32.shl (i32.add (i32.mul (local.get $i) (local.get $cols)) (local.get $j)) (i32.const 2))))
        (v128.store (local.get $cp) (local.get $a0))
        (v128.store offset=16 (local.get $cp) (local.get $a1))
        (v128.store offset=32 (local.get $cp) (local.get $a2))
        (v128.store offset=48 (local.get $cp) (local.get $a3))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $col16)))
      ;; 4 columns at a time.
      (block $done4 (loop $col4
        (br_if $done4 (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $cols)))
        (if (local.get $bias)
          (then (local.set $a0 (v128.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))))
          (else (local.set $a0 (v128.const i32x4 0 0 0 0))))
        (local.set $ap (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $aRow))))
        (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $p (i32.const 0))
        (block $innerDone (loop $inner4
          (br_if $innerDone (i32.ge_u (local.get $p) (local.get $inner)))
          (local.set $a0 (f32x4.add (local.get $a0)
            (f32x4.mul (f32x4.splat (f32.load (local.get $ap))) (v128.load (local.get $bp)))))
          (local.set $ap (i32.add (local.get $ap) (local.get $aCol)))
          (local.set $bp (i32.add (local.get $bp) (local.get $bRow)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $inner4)))
        (v128.store (i32.add (local.get $c)
          (i32.shl (i32.add (i32.mul (local.get $i) (local.get $cols)) (local.get $j)) (i32.const 2)))
          (local.get $a0))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $col4)))
      ;; The last 0-3 columns one at a time.
      (block $done1 (loop $col1
        (br_if $done1 (i32.ge_u (local.get $j) (local.get $cols)))
        (local.set $acc (f32.const 0))
        (if (local.get $bias)
          (then (local.set $acc (f32.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))))
        (local.set $ap (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $aRow))))
        (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $p (i32.const 0))
        (block $innerDone (loop $inner1
          (br_if $innerDone (i32.ge_u (local.get $p) (local.get $inner)))
          (local.set $acc (f32.add (local.get $acc) (f32.mul (f32.load (local.get $ap)) (f32.load (local.get $bp)))))
          (local.set $ap (i32.add (local.get $ap) (local.get $aCol)))
          (local.set $bp (i32.add (local.get $bp) (local.get $bRow)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $inner1)))
        (f32.store (i32.add (local.get $c)
          (i32.shl (i32.add (i32.mul (local.get $i) (local.get $cols)) (local.get $j)) (i32.const 2)))
          (local.get $acc))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $col1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $row))))

  ;; gemm for fewer than 4 columns (policy and value heads): four rows at a time, their a-values
  ;; gathered into one vector, so the heads run on SIMD too; the last 0-3 rows one at a time.
  (func $narrow (param $a i32) (param $aRow i32) (param $aCol i32) (param $b i32) (param $bias i32)
      (param $c i32) (param $rows i32) (param $inner i32) (param $cols i32)
    (local $i i32) (local $j i32) (local $p i32) (local $ap i32) (local $bp i32) (local $cp i32)
    (local $bRow i32) (local $acc v128) (local $x v128) (local $init f32) (local $sum f32)
    (local.set $bRow (i32.shl (local.get $cols) (i32.const 2)))
    (block $blocksDone (loop $block
      (br_if $blocksDone (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $rows)))
      (local.set $j (i32.const 0))
      (block $colsDone (loop $col
        (br_if $colsDone (i32.ge_u (local.get $j) (local.get $cols)))
        (local.set $init (f32.const 0))
        (if (local.get $bias)
          (then (local.set $init (f32.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))))
        (local.set $acc (f32x4.splat (local.get $init)))
        (local.set $ap (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $aRow))))
        (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $p (i32.const 0))
        (block $innerDone (loop $inner
          (br_if $innerDone (i32.ge_u (local.get $p) (local.get $inner)))
          (local.set $x (f32x4.splat (f32.load (local.get $ap))))
          (local.set $x (f32x4.replace_lane 1 (local.get $x) (f32.load (i32.add (local.get $ap) (local.get $aRow)))))
          (local.set $x (f32x4.replace_lane 2 (local.get $x)
            (f32.load (i32.add (local.get $ap) (i32.shl (local.get $aRow) (i32.const 1))))))
          (local.set $x (f32x4.replace_lane 3 (local.get $x)
            (f32.load (i32.add (local.get $ap) (i32.mul (local.get $aRow) (i32.const 3))))))
          (local.set $acc (f32x4.add (local.get $acc)
            (f32x4.mul (local.get $x) (f32x4.splat (f32.load (local.get $bp))))))
          (local.set $ap (i32.add (local.get $ap) (local.get $aCol)))
          (local.set $bp (i32.add (local.get $bp) (local.get $bRow)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $inner)))
        ;; Lane k is c[i + k][j]; c's rows are bRow bytes apart, like b's.
        (local.set $cp (i32.add (local.get $c)
          (i32.shl (i32.add (i32.mul (local.get $i) (local.get $cols)) (local.get $j)) (i32.const 2))))
        (f32.store (local.get $cp) (f32x4.extract_lane 0 (local.get $acc)))
        (f32.store (i32.add (local.get $cp) (local.get $bRow)) (f32x4.extract_lane 1 (local.get $acc)))
        (f32.store (i32.add (local.get $cp) (i32.shl (local.get $bRow) (i32.const 1))) (f32x4.extract_lane 2 (local.get $acc)))
        (f32.store (i32.add (local.get $cp) (i32.mul (local.get $bRow) (i32.const 3))) (f32x4.extract_lane 3 (local.get $acc)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $col)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $block)))
    (block $rowsDone (loop $row
      (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $rows)))
      (local.set $j (i32.const 0))
      (block $colsDone (loop $col
        (br_if $colsDone (i32.ge_u (local.get $j) (local.get $cols)))
        (local.set $sum (f32.const 0))
        (if (local.get $bias)
          (then (local.set $sum (f32.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))))
        (local.set $ap (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $aRow))))
        (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $p (i32.const 0))
        (block $innerDone (loop $inner
          (br_if $innerDone (i32.ge_u (local.get $p) (local.get $inner)))
          (local.set $sum (f32.add (local.get $sum) (f32.mul (f32.load (local.get $ap)) (f32.load (local.get $bp)))))
          (local.set $ap (i32.add (local.get $ap) (local.get $aCol)))
          (local.set $bp (i32.add (local.get $bp) (local.get $bRow)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $inner)))
        (f32.store (i32.add (local.get $c)
          (i32.shl (i32.add (i32.mul (local.get $i) (local.get $cols)) (local.get $j)) (i32.const 2)))
          (local.get $sum))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $col)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $row))))

  ;; tanh of `vectors` × 4 f32 at x, in place: Eigen's rational approximation (odd degree-13
  ;; numerator over even degree-6 denominator on [-7.9053, 7.9053], x itself below 4e-4), within a
  ;; few float32 ulps of the exact value.
  (func (export "tanh") (param $x i32) (param $vectors i32)
    (local $end i32) (local $v v128) (local $v2 v128) (local $p v128) (local $q v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $vectors) (i32.const 4))))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $v (v128.load (local.get $x)))
      (local.set $v2 (f32x4.min (f32x4.max (local.get $v) (v128.const f32x4 -7.90531110763549805 -7.90531110763549805 -7.90531110763549805 -7.90531110763549805))
        (v128.const f32x4 7.90531110763549805 7.90531110763549805 7.90531110763549805 7.90531110763549805)))
      (local.set $q (local.get $v2))
      (local.set $v2 (f32x4.mul (local.get $q) (local.get $q)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $v2) (v128.const f32x4 -2.76076847742355e-16 -2.76076847742355e-16 -2.76076847742355e-16 -2.76076847742355e-16))
        (v128.const f32x4 2.00018790482477e-13 2.00018790482477e-13 2.00018790482477e-13 2.00018790482477e-13)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $v2) (local.get $p))
        (v128.const f32x4 -8.60467152213735e-11 -8.60467152213735e-11 -8.60467152213735e-11 -8.60467152213735e-11)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $v2) (local.get $p))
        (v128.const f32x4 5.12229709037114e-08 5.12229709037114e-08 5.12229709037114e-08 5.12229709037114e-08)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $v2) (local.get $p))
        (v128.const f32x4 1.48572235717979e-05 1.48572235717979e-05 1.48572235717979e-05 1.48572235717979e-05)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $v2) (local.get $p))
        (v128.const f32x4 6.37261928875436e-04 6.37261928875436e-04 6.37261928875436e-04 6.37261928875436e-04)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $v2) (local.get $p))
        (v128.const f32x4 4.89352455891786e-03 4.89352455891786e-03 4.89352455891786e-03 4.89352455891786e-03)))
      (local.set $p (f32x4.mul (local.get $q) (local.get $p)))
      (local.set $q (f32x4.add (f32x4.mul (local.get $v2) (v128.const f32x4 1.19825839466702e-06 1.19825839466702e-06 1.19825839466702e-06 1.19825839466702e-06))
        (v128.const f32x4 1.18534705686654e-04 1.18534705686654e-04 1.18534705686654e-04 1.18534705686654e-04)))
      (local.set $q (f32x4.add (f32x4.mul (local.get $v2) (local.get $q))
        (v128.const f32x4 2.26843463243900e-03 2.26843463243900e-03 2.26843463243900e-03 2.26843463243900e-03)))
      (local.set $q (f32x4.add (f32x4.mul (local.get $v2) (local.get $q))
        (v128.const f32x4 4.89352518554385e-03 4.89352518554385e-03 4.89352518554385e-03 4.89352518554385e-03)))
      ;; |x| < 4e-4: tanh(x) = x to float32 precision.
      (v128.store (local.get $x)
        (v128.bitselect (local.get $v) (f32x4.div (local.get $p) (local.get $q))
          (f32x4.lt (f32x4.abs (local.get $v)) (v128.const f32x4 0.0004 0.0004 0.0004 0.0004))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (br $each))))

  ;; d ← d · (1 − h²) over `vectors` × 4 f32: the error through tanh, from its output h.
  (func (export "tanhBackward") (param $d i32) (param $h i32) (param $vectors i32)
    (local $end i32) (local $v v128)
    (local.set $end (i32.add (local.get $d) (i32.shl (local.get $vectors) (i32.const 4))))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $d) (local.get $end)))
      (local.set $v (v128.load (local.get $h)))
      (v128.store (local.get $d) (f32x4.mul (v128.load (local.get $d))
        (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $v) (local.get $v)))))
      (local.set $d (i32.add (local.get $d) (i32.const 16)))
      (local.set $h (i32.add (local.get $h) (i32.const 16)))
      (br $each))))

  ;; max(x, 0) of `vectors` × 4 f32 at x, in place.
  (func (export "relu") (param $x i32) (param $vectors i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $vectors) (i32.const 4))))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (v128.store (local.get $x) (f32x4.max (v128.load (local.get $x)) (v128.const i32x4 0 0 0 0)))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (br $each))))

  ;; d ← d where h > 0, else 0, over `vectors` × 4 f32: the error through relu, from its output h.
  (func (export "reluBackward") (param $d i32) (param $h i32) (param $vectors i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $d) (i32.shl (local.get $vectors) (i32.const 4))))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $d) (local.get $end)))
      (v128.store (local.get $d) (v128.and (v128.load (local.get $d))
        (f32x4.gt (v128.load (local.get $h)) (v128.const i32x4 0 0 0 0))))
      (local.set $d (i32.add (local.get $d) (i32.const 16)))
      (local.set $h (i32.add (local.get $h) (i32.const 16)))
      (br $each)))))
