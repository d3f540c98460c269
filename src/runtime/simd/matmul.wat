;; Batched matrix products with 128-bit SIMD, working in place on the tfjs wasm backend's memory
;; (imported, so no copies). Assembled into ../simd-matmul-module.ts by assemble.mjs (see there).
;;
;; All pointers and strides are in bytes. For each batch t (0 <= t < batch):
;;   mm_nn: C[i, j] = sum_p A(i, p) * B[p, j], A(i, p) at a + i*ars + p*acs, B row-major [k, n].
;;          Plain A is (ars, acs) = (4k, 4); a transposed A (stored [k, m]) is (4, 4m).
;;   mm_nt: C[i, j] = sum_p A[i, p] * B[j, p], A row-major [m, k], B row-major [n, k] (B transposed):
;;          each B[t] is first transposed into a caller-provided scratch buffer of 4·k·n bytes.
;; a, b, c advance by sa, sb, sc per batch (0 broadcasts one operand over the batch).
;; Sums are float32, accumulated four lanes at a time (as XNNPACK does).
(module
  (import "env" "memory" (memory 1))

  ;; One product C = op(A)·B (see mm_nn), 16, then 4, then 1 output columns at a time.
  (func $panel
    (param $a i32) (param $b i32) (param $c i32) (param $m i32) (param $k i32) (param $n i32) (param $ars i32) (param $acs i32)
    (local $i i32) (local $j i32) (local $p i32)
    (local $ai i32) (local $ap i32) (local $bp i32) (local $cp i32) (local $nb i32)
    (local $x v128) (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $s f32)
    (local.set $nb (i32.shl (local.get $n) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $idone (loop $iloop
      (br_if $idone (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $ai (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $ars))))
      (local.set $cp (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $nb))))
      (local.set $j (i32.const 0))
      ;; 16 columns at a time: four accumulators
      (block $j16done (loop $j16loop
        (br_if $j16done (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $n)))
        (local.set $c0 (v128.const i32x4 0 0 0 0))
        (local.set $c1 (v128.const i32x4 0 0 0 0))
        (local.set $c2 (v128.const i32x4 0 0 0 0))
        (local.set $c3 (v128.const i32x4 0 0 0 0))
        (local.set $ap (local.get $ai))
        (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $p (i32.const 0))
        (block $pdone (loop $ploop
          (br_if $pdone (i32.ge_u (local.get $p) (local.get $k)))
          (local.set $x (f32x4.splat (f32.load (local.get $ap))))
          (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $x) (v128.load offset=0 align=4 (local.get $bp)))))
          (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $x) (v128.load offset=16 align=4 (local.get $bp)))))
          (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (local.get $x) (v128.load offset=32 align=4 (local.get $bp)))))
          (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (local.get $x) (v128.load offset=48 align=4 (local.get $bp)))))
          (local.set $ap (i32.add (local.get $ap) (local.get $acs)))
          (local.set $bp (i32.add (local.get $bp) (local.get $nb)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $ploop)))
        (v128.store offset=0 align=4 (local.get $cp) (local.get $c0))
        (v128.store offset=16 align=4 (local.get $cp) (local.get $c1))
        (v128.store offset=32 align=4 (local.get $cp) (local.get $c2))
        (v128.store offset=48 align=4 (local.get $cp) (local.get $c3))
        (local.set $cp (i32.add (local.get $cp) (i32.const 64)))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $j16loop)))
      ;; 4 columns at a time
      (block $j4done (loop $j4loop
        (br_if $j4done (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
        (local.set $c0 (v128.const i32x4 0 0 0 0))
        (local.set $ap (local.get $ai))
        (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $p (i32.const 0))
        (block $pdone (loop $ploop
          (br_if $pdone (i32.ge_u (local.get $p) (local.get $k)))
          (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (f32x4.splat (f32.load (local.get $ap))) (v128.load align=4 (local.get $bp)))))
          (local.set $ap (i32.add (local.get $ap) (local.get $acs)))
          (local.set $bp (i32.add (local.get $bp) (local.get $nb)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $ploop)))
        (v128.store align=4 (local.get $cp) (local.get $c0))
        (local.set $cp (i32.add (local.get $cp) (i32.const 16)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $j4loop)))
      ;; the last n mod 4 columns, one at a time
      (block $j1done (loop $j1loop
        (br_if $j1done (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $s (f32.const 0))
        (local.set $ap (local.get $ai))
        (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $p (i32.const 0))
        (block $pdone (loop $ploop
          (br_if $pdone (i32.ge_u (local.get $p) (local.get $k)))
          (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $ap)) (f32.load (local.get $bp)))))
          (local.set $ap (i32.add (local.get $ap) (local.get $acs)))
          (local.set $bp (i32.add (local.get $bp) (local.get $nb)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $ploop)))
        (f32.store (local.get $cp) (local.get $s))
        (local.set $cp (i32.add (local.get $cp) (i32.const 4)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $j1loop)))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $iloop))))

  (func (export "mm_nn")
    (param $a i32) (param $b i32) (param $c i32) (param $batch i32)
    (param $m i32) (param $k i32) (param $n i32)
    (param $sa i32) (param $sb i32) (param $sc i32) (param $ars i32) (param $acs i32)
    (local $t i32)
    (block $tdone (loop $tloop
      (br_if $tdone (i32.ge_u (local.get $t) (local.get $batch)))
      (call $panel (local.get $a) (local.get $b) (local.get $c) (local.get $m) (local.get $k) (local.get $n) (local.get $ars) (local.get $acs))
      (local.set $a (i32.add (local.get $a) (local.get $sa)))
      (local.set $b (i32.add (local.get $b) (local.get $sb)))
      (local.set $c (i32.add (local.get $c) (local.get $sc)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tloop))))

  ;; mm_nt: each B[t] ([n, k]) is transposed into the scratch buffer ([k, n], 4·k·n bytes), then $panel.
  (func (export "mm_nt")
    (param $a i32) (param $b i32) (param $c i32) (param $batch i32)
    (param $m i32) (param $k i32) (param $n i32)
    (param $sa i32) (param $sb i32) (param $sc i32) (param $scratch i32)
    (local $t i32) (local $j i32) (local $p i32) (local $src i32) (local $nb i32)
    (local.set $nb (i32.shl (local.get $n) (i32.const 2)))
    (block $tdone (loop $tloop
      (br_if $tdone (i32.ge_u (local.get $t) (local.get $batch)))
      ;; scratch[p, j] = B[j, p], reading B in order
      (local.set $src (local.get $b))
      (local.set $j (i32.const 0))
      (block $jdone (loop $jloop
        (br_if $jdone (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $p (i32.const 0))
        (block $pdone (loop $ploop
          (br_if $pdone (i32.ge_u (local.get $p) (local.get $k)))
          (f32.store
            (i32.add (local.get $scratch) (i32.add (i32.mul (local.get $p) (local.get $nb)) (i32.shl (local.get $j) (i32.const 2))))
            (f32.load (local.get $src)))
          (local.set $src (i32.add (local.get $src) (i32.const 4)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $ploop)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $jloop)))
      (call $panel (local.get $a) (local.get $scratch) (local.get $c) (local.get $m) (local.get $k) (local.get $n)
        (i32.shl (local.get $k) (i32.const 2)) (i32.const 4))
      (local.set $a (i32.add (local.get $a) (local.get $sa)))
      (local.set $b (i32.add (local.get $b) (local.get $sb)))
      (local.set $c (i32.add (local.get $c) (local.get $sc)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tloop))))
)
