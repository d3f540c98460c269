;; Batched matrix products with 128-bit SIMD, working in place on the tfjs wasm backend's memory
;; (imported, so no copies). Assembled into ../simd-kernels-module.ts by assemble.mjs (see there).
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

  ;; One product C = op(A)·B (see mm_nn), 16, then 4, then 1 output columns at a time. Row i of C starts at
  ;; c + i*crs; with acc = 1 the product is added to C (C += op(A)·B) instead of overwriting it.
  (func $panel
    (param $a i32) (param $b i32) (param $c i32) (param $m i32) (param $k i32) (param $n i32) (param $ars i32) (param $acs i32)
    (param $crs i32) (param $acc i32)
    (local $i i32) (local $j i32) (local $p i32)
    (local $ai i32) (local $ap i32) (local $bp i32) (local $cp i32) (local $nb i32)
    (local $x v128) (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $s f32)
    (local.set $nb (i32.shl (local.get $n) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $idone (loop $iloop
      (br_if $idone (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $ai (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $ars))))
      (local.set $cp (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $crs))))
      (local.set $j (i32.const 0))
      ;; 16 columns at a time: four accumulators
      (block $j16done (loop $j16loop
        (br_if $j16done (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $n)))
        (if (local.get $acc)
          (then
            (local.set $c0 (v128.load offset=0 align=4 (local.get $cp)))
            (local.set $c1 (v128.load offset=16 align=4 (local.get $cp)))
            (local.set $c2 (v128.load offset=32 align=4 (local.get $cp)))
            (local.set $c3 (v128.load offset=48 align=4 (local.get $cp))))
          (else
            (local.set $c0 (v128.const i32x4 0 0 0 0))
            (local.set $c1 (v128.const i32x4 0 0 0 0))
            (local.set $c2 (v128.const i32x4 0 0 0 0))
            (local.set $c3 (v128.const i32x4 0 0 0 0))))
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
        (local.set $c0 (if (result v128) (local.get $acc) (then (v128.load align=4 (local.get $cp))) (else (v128.const i32x4 0 0 0 0))))
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
        (local.set $s (if (result f32) (local.get $acc) (then (f32.load (local.get $cp))) (else (f32.const 0))))
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
      (call $panel (local.get $a) (local.get $b) (local.get $c) (local.get $m) (local.get $k) (local.get $n) (local.get $ars) (local.get $acs)
        (i32.shl (local.get $n) (i32.const 2)) (i32.const 0))
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
        (i32.shl (local.get $k) (i32.const 2)) (i32.const 4) (local.get $nb) (i32.const 0))
      (local.set $a (i32.add (local.get $a) (local.get $sa)))
      (local.set $b (i32.add (local.get $b) (local.get $sb)))
      (local.set $c (i32.add (local.get $c) (local.get $sc)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tloop))))
;; Convolution passes (NHWC, float32), one filter tap (kh, kw) per call, adding into their output (zeroed by
  ;; the caller). The tap's input offsets are ihOff = kh - top and iwOff = kw - left; output columns ow0 <= ow < ow1
  ;; are those whose input column ow*SW + iwOff lies inside the image (the caller computes them). For each image
  ;; n and output row oh whose input row ih = oh*SH + ihOff is inside, one $panel over that row segment:
  ;;   conv_filter_tap: dW[kh, kw] ([CI, CO]) += X_segᵀ · DY_seg    (A = the input pixels read transposed)
  ;;   conv_input_tap:  DX_seg ([len, CI], rows SW·CI apart) += DY_seg · W[kh, kw]ᵀ (wt = W[kh, kw]ᵀ, [CO, CI])
  ;;   conv_forward_tap: Y_seg ([len, CO]) += X_seg (rows SW·CI apart) · W[kh, kw] ([CI, CO])
  (func (export "conv_filter_tap")
    (param $x i32) (param $dy i32) (param $dw i32) (param $N i32) (param $H i32) (param $W i32) (param $CI i32)
    (param $OH i32) (param $OW i32) (param $CO i32) (param $SH i32) (param $SW i32) (param $ihOff i32) (param $iwOff i32)
    (param $ow0 i32) (param $ow1 i32)
    (local $n i32) (local $oh i32) (local $ih i32)
    (if (i32.le_s (local.get $ow1) (local.get $ow0)) (then (return)))
    (block $ndone (loop $nloop
      (br_if $ndone (i32.ge_s (local.get $n) (local.get $N)))
      (local.set $oh (i32.const 0))
      (block $hdone (loop $hloop
        (br_if $hdone (i32.ge_s (local.get $oh) (local.get $OH)))
        (local.set $ih (i32.add (i32.mul (local.get $oh) (local.get $SH)) (local.get $ihOff)))
        (if (i32.and (i32.ge_s (local.get $ih) (i32.const 0)) (i32.lt_s (local.get $ih) (local.get $H)))
          (then
            (call $panel
              ;; A(ci, p) = x[n, ih, (ow0 + p)·SW + iwOff, ci]
              (i32.add (local.get $x) (i32.shl (i32.mul (i32.add
                (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H)) (local.get $ih)) (local.get $W))
                (i32.add (i32.mul (local.get $ow0) (local.get $SW)) (local.get $iwOff))) (local.get $CI)) (i32.const 2)))
              ;; B[p, co] = dy[n, oh, ow0 + p, co]
              (i32.add (local.get $dy) (i32.shl (i32.mul (i32.add
                (i32.mul (i32.add (i32.mul (local.get $n) (local.get $OH)) (local.get $oh)) (local.get $OW))
                (local.get $ow0)) (local.get $CO)) (i32.const 2)))
              (local.get $dw)
              (local.get $CI) (i32.sub (local.get $ow1) (local.get $ow0)) (local.get $CO)
              (i32.const 4) (i32.shl (i32.mul (local.get $SW) (local.get $CI)) (i32.const 2))
              (i32.shl (local.get $CO) (i32.const 2)) (i32.const 1))))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br $hloop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nloop))))

  (func (export "conv_input_tap")
    (param $dy i32) (param $wt i32) (param $dx i32) (param $N i32) (param $H i32) (param $W i32) (param $CI i32)
    (param $OH i32) (param $OW i32) (param $CO i32) (param $SH i32) (param $SW i32) (param $ihOff i32) (param $iwOff i32)
    (param $ow0 i32) (param $ow1 i32)
    (local $n i32) (local $oh i32) (local $ih i32)
    (if (i32.le_s (local.get $ow1) (local.get $ow0)) (then (return)))
    (block $ndone (loop $nloop
      (br_if $ndone (i32.ge_s (local.get $n) (local.get $N)))
      (local.set $oh (i32.const 0))
      (block $hdone (loop $hloop
        (br_if $hdone (i32.ge_s (local.get $oh) (local.get $OH)))
        (local.set $ih (i32.add (i32.mul (local.get $oh) (local.get $SH)) (local.get $ihOff)))
        (if (i32.and (i32.ge_s (local.get $ih) (i32.const 0)) (i32.lt_s (local.get $ih) (local.get $H)))
          (then
            (call $panel
              ;; A[p, co] = dy[n, oh, ow0 + p, co]
              (i32.add (local.get $dy) (i32.shl (i32.mul (i32.add
                (i32.mul (i32.add (i32.mul (local.get $n) (local.get $OH)) (local.get $oh)) (local.get $OW))
                (local.get $ow0)) (local.get $CO)) (i32.const 2)))
              (local.get $wt)
              ;; C row p = dx[n, ih, (ow0 + p)·SW + iwOff, :]
              (i32.add (local.get $dx) (i32.shl (i32.mul (i32.add
                (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H)) (local.get $ih)) (local.get $W))
                (i32.add (i32.mul (local.get $ow0) (local.get $SW)) (local.get $iwOff))) (local.get $CI)) (i32.const 2)))
              (i32.sub (local.get $ow1) (local.get $ow0)) (local.get $CO) (local.get $CI)
              (i32.shl (local.get $CO) (i32.const 2)) (i32.const 4)
              (i32.shl (i32.mul (local.get $SW) (local.get $CI)) (i32.const 2)) (i32.const 1))))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br $hloop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nloop))))

  (func (export "conv_forward_tap")
    (param $x i32) (param $w i32) (param $y i32) (param $N i32) (param $H i32) (param $W i32) (param $CI i32)
    (param $OH i32) (param $OW i32) (param $CO i32) (param $SH i32) (param $SW i32) (param $ihOff i32) (param $iwOff i32)
    (param $ow0 i32) (param $ow1 i32)
    (local $n i32) (local $oh i32) (local $ih i32)
    (if (i32.le_s (local.get $ow1) (local.get $ow0)) (then (return)))
    (block $ndone (loop $nloop
      (br_if $ndone (i32.ge_s (local.get $n) (local.get $N)))
      (local.set $oh (i32.const 0))
      (block $hdone (loop $hloop
        (br_if $hdone (i32.ge_s (local.get $oh) (local.get $OH)))
        (local.set $ih (i32.add (i32.mul (local.get $oh) (local.get $SH)) (local.get $ihOff)))
        (if (i32.and (i32.ge_s (local.get $ih) (i32.const 0)) (i32.lt_s (local.get $ih) (local.get $H)))
          (then
            (call $panel
              ;; A row p = x[n, ih, (ow0 + p)·SW + iwOff, :]
              (i32.add (local.get $x) (i32.shl (i32.mul (i32.add
                (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H)) (local.get $ih)) (local.get $W))
                (i32.add (i32.mul (local.get $ow0) (local.get $SW)) (local.get $iwOff))) (local.get $CI)) (i32.const 2)))
              (local.get $w)
              ;; C row p = y[n, oh, ow0 + p, :]
              (i32.add (local.get $y) (i32.shl (i32.mul (i32.add
                (i32.mul (i32.add (i32.mul (local.get $n) (local.get $OH)) (local.get $oh)) (local.get $OW))
                (local.get $ow0)) (local.get $CO)) (i32.const 2)))
              (i32.sub (local.get $ow1) (local.get $ow0)) (local.get $CI) (local.get $CO)
              (i32.shl (i32.mul (local.get $SW) (local.get $CI)) (i32.const 2)) (i32.const 4)
              (i32.shl (local.get $CO) (i32.const 2)) (i32.const 1))))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br $hloop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nloop))))
)
