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

;; One product C = op(A)·B (see mm_nn). Rows are taken two at a time where they can be (each B vector
  ;; then feeds two rows: 8 accumulators), 16 columns at a time, then the remaining columns of each row
  ;; 4 and then 1 at a time. Row i of C starts at c + i*crs; with acc = 1 the product is added to C.
  (func $panel
    (param $a i32) (param $b i32) (param $c i32) (param $m i32) (param $k i32) (param $n i32) (param $ars i32) (param $acs i32)
    (param $crs i32) (param $acc i32) (param $nb i32)
    (local $i i32) (local $j i32) (local $p i32) (local $rows i32) (local $r i32) (local $n16 i32)
    (local $ai i32) (local $ap i32) (local $bp i32) (local $cp i32) (local $cq i32) (local $aq i32)
    (local $x v128) (local $y v128) (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128) (local $s f32)
    (local.set $n16 (i32.and (local.get $n) (i32.const -16)))
    (local.set $i (i32.const 0))
    (block $idone (loop $iloop
      (br_if $idone (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $rows (select (i32.const 2) (i32.const 1) (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $m))))
      (local.set $ai (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $ars))))
      (local.set $cp (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $crs))))
      (local.set $aq (i32.add (local.get $ai) (local.get $ars)))
      (local.set $cq (i32.add (local.get $cp) (local.get $crs)))
      (local.set $j (i32.const 0))
      (if (i32.eq (local.get $rows) (i32.const 2))
        (then
          ;; two rows x 16 columns
          (block $j16done (loop $j16loop
            (br_if $j16done (i32.ge_u (local.get $j) (local.get $n16)))
            (if (local.get $acc)
              (then
                (local.set $c0 (v128.load offset=0 align=4 (local.get $cp)))
                (local.set $c1 (v128.load offset=16 align=4 (local.get $cp)))
                (local.set $c2 (v128.load offset=32 align=4 (local.get $cp)))
                (local.set $c3 (v128.load offset=48 align=4 (local.get $cp)))
                (local.set $d0 (v128.load offset=0 align=4 (local.get $cq)))
                (local.set $d1 (v128.load offset=16 align=4 (local.get $cq)))
                (local.set $d2 (v128.load offset=32 align=4 (local.get $cq)))
                (local.set $d3 (v128.load offset=48 align=4 (local.get $cq))))
              (else
                (local.set $c0 (v128.const i32x4 0 0 0 0))
                (local.set $c1 (v128.const i32x4 0 0 0 0))
                (local.set $c2 (v128.const i32x4 0 0 0 0))
                (local.set $c3 (v128.const i32x4 0 0 0 0))
                (local.set $d0 (v128.const i32x4 0 0 0 0))
                (local.set $d1 (v128.const i32x4 0 0 0 0))
                (local.set $d2 (v128.const i32x4 0 0 0 0))
                (local.set $d3 (v128.const i32x4 0 0 0 0))))
            (local.set $ap (local.get $ai))
            (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $p (i32.const 0))
            (block $pdone (loop $ploop
              (br_if $pdone (i32.ge_u (local.get $p) (local.get $k)))
              (local.set $x (f32x4.splat (f32.load (local.get $ap))))
              (local.set $y (f32x4.splat (f32.load (i32.add (local.get $ap) (local.get $ars)))))
              (local.set $b0 (v128.load offset=0 align=4 (local.get $bp)))
              (local.set $b1 (v128.load offset=16 align=4 (local.get $bp)))
              (local.set $b2 (v128.load offset=32 align=4 (local.get $bp)))
              (local.set $b3 (v128.load offset=48 align=4 (local.get $bp)))
              (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $x) (local.get $b0))))
              (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $x) (local.get $b1))))
              (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (local.get $x) (local.get $b2))))
              (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (local.get $x) (local.get $b3))))
              (local.set $d0 (f32x4.add (local.get $d0) (f32x4.mul (local.get $y) (local.get $b0))))
              (local.set $d1 (f32x4.add (local.get $d1) (f32x4.mul (local.get $y) (local.get $b1))))
              (local.set $d2 (f32x4.add (local.get $d2) (f32x4.mul (local.get $y) (local.get $b2))))
              (local.set $d3 (f32x4.add (local.get $d3) (f32x4.mul (local.get $y) (local.get $b3))))
              (local.set $ap (i32.add (local.get $ap) (local.get $acs)))
              (local.set $bp (i32.add (local.get $bp) (local.get $nb)))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (br $ploop)))
            (v128.store offset=0 align=4 (local.get $cp) (local.get $c0))
            (v128.store offset=16 align=4 (local.get $cp) (local.get $c1))
            (v128.store offset=32 align=4 (local.get $cp) (local.get $c2))
            (v128.store offset=48 align=4 (local.get $cp) (local.get $c3))
            (v128.store offset=0 align=4 (local.get $cq) (local.get $d0))
            (v128.store offset=16 align=4 (local.get $cq) (local.get $d1))
            (v128.store offset=32 align=4 (local.get $cq) (local.get $d2))
            (v128.store offset=48 align=4 (local.get $cq) (local.get $d3))
            (local.set $cp (i32.add (local.get $cp) (i32.const 64)))
            (local.set $cq (i32.add (local.get $cq) (i32.const 64)))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $j16loop))))
        (else
          ;; one row x 16 columns
          (block $j16done (loop $j16loop
            (br_if $j16done (i32.ge_u (local.get $j) (local.get $n16)))
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
            (br $j16loop)))))
      ;; the remaining n mod 16 columns of each row taken: 4, then 1 at a time
      (local.set $r (i32.const 0))
      (block $rdone (loop $rloop
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $j (local.get $n16))
        (local.set $cp (i32.add (i32.add (local.get $c) (i32.mul (i32.add (local.get $i) (local.get $r)) (local.get $crs))) (i32.shl (local.get $n16) (i32.const 2))))
        (local.set $ai (i32.add (local.get $a) (i32.mul (i32.add (local.get $i) (local.get $r)) (local.get $ars))))
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
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rloop)))
      (local.set $i (i32.add (local.get $i) (local.get $rows)))
      (br $iloop))))

  (func (export "mm_nn")
    (param $a i32) (param $b i32) (param $c i32) (param $batch i32)
    (param $m i32) (param $k i32) (param $n i32)
    (param $sa i32) (param $sb i32) (param $sc i32) (param $ars i32) (param $acs i32)
    (local $t i32)
    (block $tdone (loop $tloop
      (br_if $tdone (i32.ge_u (local.get $t) (local.get $batch)))
      (call $panel (local.get $a) (local.get $b) (local.get $c) (local.get $m) (local.get $k) (local.get $n) (local.get $ars) (local.get $acs)
        (i32.shl (local.get $n) (i32.const 2)) (i32.const 0) (i32.shl (local.get $n) (i32.const 2)))
      (local.set $a (i32.add (local.get $a) (local.get $sa)))
      (local.set $b (i32.add (local.get $b) (local.get $sb)))
      (local.set $c (i32.add (local.get $c) (local.get $sc)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tloop))))

  ;; mm_tiled: one product C = op(A)·B as mm_nn, blocked and packed as GEMM libraries do (Goto & van de Geijn,
  ;; 2008): B in blocks of kc rows by nc columns, each copied into scratch rows nc apart, and (for a transposed A,
  ;; acs != 4) A's kc columns copied into scratch rows kc apart. $panel walks all of its B once per pair of rows of C:
  ;; a B larger than the cache (dW = xᵀ·dy over 1,024 tokens: B = dy, 3 MB) was streamed m/2 times, and rows of a
  ;; wide B (or a transposed A's columns) kilobytes apart touch a new page at every step. A packed block is read
  ;; from cache, rows close together. The first block of rows of B writes C, the later ones add to it.
  ;; With btr = 1, B is stored transposed ([n, k], C = op(A)·Bᵀ as mm_nt) and its blocks are gathered from columns.
  ;; scratch holds 4·kc·nc bytes for B, then 4·m·kc for A when acs != 4. Needs k >= 1.
  (func (export "mm_tiled")
    (param $a i32) (param $b i32) (param $c i32) (param $m i32) (param $k i32) (param $n i32) (param $ars i32) (param $acs i32)
    (param $kc i32) (param $nc i32) (param $scratch i32) (param $btr i32)
    (local $p0 i32) (local $j0 i32) (local $kk i32) (local $nn i32) (local $p i32) (local $i i32)
    (local $ap i32) (local $pa i32) (local $pars i32) (local $pacs i32) (local $src i32) (local $dst i32)
    (local $apack i32) (local $packA i32) (local $i4 i32) (local $p4 i32) (local $rs i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $apack (i32.add (local.get $scratch) (i32.shl (i32.mul (local.get $kc) (local.get $nc)) (i32.const 2))))
    (local.set $packA (i32.ne (local.get $acs) (i32.const 4)))
    (block $pdone (loop $ploop
      (br_if $pdone (i32.ge_u (local.get $p0) (local.get $k)))
      (local.set $kk (select (local.get $kc) (i32.sub (local.get $k) (local.get $p0))
        (i32.lt_u (local.get $kc) (i32.sub (local.get $k) (local.get $p0)))))
      (local.set $ap (i32.add (local.get $a) (i32.mul (local.get $p0) (local.get $acs))))
      (if (local.get $packA)
        (then
          ;; apack[i, p] = A(i, p0 + p), rows kk apart. Where A is stored transposed (ars = 4: [k, m]), 4x4 tiles
          ;; are loaded as 4 rows of the storage, transposed in registers and stored as 4 rows of apack; the
          ;; edges (and any other layout) are copied one value at a time.
          (local.set $i4 (select (i32.and (local.get $m) (i32.const -4)) (i32.const 0) (i32.eq (local.get $ars) (i32.const 4))))
          (local.set $p4 (i32.and (local.get $kk) (i32.const -4)))
          (local.set $i (i32.const 0))
          (block $tidone (loop $tiloop
            (br_if $tidone (i32.ge_u (local.get $i) (local.get $i4)))
            (local.set $p (i32.const 0))
            (block $tpdone (loop $tploop
              (br_if $tpdone (i32.ge_u (local.get $p) (local.get $p4)))
              (local.set $src (i32.add (i32.add (local.get $ap) (i32.mul (local.get $p) (local.get $acs))) (i32.shl (local.get $i) (i32.const 2))))
              (local.set $r0 (v128.load align=4 (local.get $src)))
              (local.set $r1 (v128.load align=4 (i32.add (local.get $src) (local.get $acs))))
              (local.set $r2 (v128.load align=4 (i32.add (local.get $src) (i32.shl (local.get $acs) (i32.const 1)))))
              (local.set $r3 (v128.load align=4 (i32.add (local.get $src) (i32.mul (local.get $acs) (i32.const 3)))))
              (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
              (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
              (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
              (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
              (local.set $dst (i32.add (local.get $apack) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $kk)) (local.get $p)) (i32.const 2))))
              (local.set $rs (i32.shl (local.get $kk) (i32.const 2)))
              (v128.store align=4 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
              (v128.store align=4 (i32.add (local.get $dst) (local.get $rs)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
              (v128.store align=4 (i32.add (local.get $dst) (i32.shl (local.get $rs) (i32.const 1))) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
              (v128.store align=4 (i32.add (local.get $dst) (i32.mul (local.get $rs) (i32.const 3))) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))
              (br $tploop)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $tiloop)))
          ;; the rest, one value at a time: columns p4.. of the tiled rows, then every column of rows i4..
          (local.set $p (i32.const 0))
          (block $apdone (loop $aploop
            (br_if $apdone (i32.ge_u (local.get $p) (local.get $kk)))
            (local.set $i (select (i32.const 0) (local.get $i4) (i32.ge_u (local.get $p) (local.get $p4))))
            (local.set $src (i32.add (i32.add (local.get $ap) (i32.mul (local.get $p) (local.get $acs))) (i32.mul (local.get $i) (local.get $ars))))
            (local.set $dst (i32.add (local.get $apack) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $kk)) (local.get $p)) (i32.const 2))))
            (block $aidone (loop $ailoop
              (br_if $aidone (i32.ge_u (local.get $i) (local.get $m)))
              (f32.store (local.get $dst) (f32.load (local.get $src)))
              (local.set $src (i32.add (local.get $src) (local.get $ars)))
              (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $kk) (i32.const 2))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $ailoop)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $aploop)))
          (local.set $pa (local.get $apack))
          (local.set $pars (i32.shl (local.get $kk) (i32.const 2)))
          (local.set $pacs (i32.const 4)))
        (else
          (local.set $pa (local.get $ap))
          (local.set $pars (local.get $ars))
          (local.set $pacs (local.get $acs))))
      (local.set $j0 (i32.const 0))
      (block $jdone (loop $jloop
        (br_if $jdone (i32.ge_u (local.get $j0) (local.get $n)))
        (local.set $nn (select (local.get $nc) (i32.sub (local.get $n) (local.get $j0))
          (i32.lt_u (local.get $nc) (i32.sub (local.get $n) (local.get $j0)))))
        ;; scratch[p, :] = B[p0 + p, j0 : j0 + nn], rows nn apart
        (if (local.get $btr)
          (then
            ;; B stored [n, k]: column j of the block is row j0 + j of the storage, read along p
            (local.set $i (i32.const 0))
            (block $btdone (loop $btloop
              (br_if $btdone (i32.ge_u (local.get $i) (local.get $nn)))
              (local.set $src (i32.add (local.get $b) (i32.shl (i32.add (i32.mul (i32.add (local.get $j0) (local.get $i)) (local.get $k)) (local.get $p0)) (i32.const 2))))
              (local.set $dst (i32.add (local.get $scratch) (i32.shl (local.get $i) (i32.const 2))))
              (local.set $p (i32.const 0))
              (block $bpdone (loop $bploop
                (br_if $bpdone (i32.ge_u (local.get $p) (local.get $kk)))
                (f32.store (local.get $dst) (f32.load (local.get $src)))
                (local.set $src (i32.add (local.get $src) (i32.const 4)))
                (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $nn) (i32.const 2))))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $bploop)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $btloop))))
          (else
            (local.set $p (i32.const 0))
            (local.set $src (i32.add (local.get $b) (i32.shl (i32.add (i32.mul (local.get $p0) (local.get $n)) (local.get $j0)) (i32.const 2))))
            (local.set $dst (local.get $scratch))
            (block $bpdone (loop $bploop
              (br_if $bpdone (i32.ge_u (local.get $p) (local.get $kk)))
              (memory.copy (local.get $dst) (local.get $src) (i32.shl (local.get $nn) (i32.const 2)))
              (local.set $src (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 2))))
              (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $nn) (i32.const 2))))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (br $bploop)))))
        (call $panel
          (local.get $pa) (local.get $scratch) (i32.add (local.get $c) (i32.shl (local.get $j0) (i32.const 2)))
          (local.get $m) (local.get $kk) (local.get $nn) (local.get $pars) (local.get $pacs)
          (i32.shl (local.get $n) (i32.const 2)) (i32.ne (local.get $p0) (i32.const 0)) (i32.shl (local.get $nn) (i32.const 2)))
        (local.set $j0 (i32.add (local.get $j0) (local.get $nc)))
        (br $jloop)))
      (local.set $p0 (i32.add (local.get $p0) (local.get $kc)))
      (br $ploop))))

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
        (i32.shl (local.get $k) (i32.const 2)) (i32.const 4) (local.get $nb) (i32.const 0) (local.get $nb))
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
              (i32.shl (local.get $CO) (i32.const 2)) (i32.const 1) (i32.shl (local.get $CO) (i32.const 2)))))
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
              (i32.shl (i32.mul (local.get $SW) (local.get $CI)) (i32.const 2)) (i32.const 1) (i32.shl (local.get $CI) (i32.const 2)))))
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
              (i32.shl (local.get $CO) (i32.const 2)) (i32.const 1) (i32.shl (local.get $CO) (i32.const 2)))))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br $hloop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nloop))))

  ;; copy_rows: rows runs of cols 4-byte values, from src + r·sstride to dst + r·dstride (bytes): the copies of a
  ;; concatenation or split along the last axis (wasm-heap-kernels.ts), four values at a time.
  (func (export "copy_rows") (param $src i32) (param $sstride i32) (param $dst i32) (param $dstride i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $j i32) (local $s i32) (local $d i32) (local $c4 i32)
    (local.set $c4 (i32.and (local.get $cols) (i32.const -4)))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $s (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $sstride))))
      (local.set $d (i32.add (local.get $dst) (i32.mul (local.get $r) (local.get $dstride))))
      (local.set $j (i32.const 0))
      (block $vdone (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $j) (local.get $c4)))
        (v128.store align=4 (local.get $d) (v128.load align=4 (local.get $s)))
        (local.set $s (i32.add (local.get $s) (i32.const 16)))
        (local.set $d (i32.add (local.get $d) (i32.const 16)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $vloop)))
      (block $sdone (loop $sloop
        (br_if $sdone (i32.ge_u (local.get $j) (local.get $cols)))
        (i32.store (local.get $d) (i32.load (local.get $s)))
        (local.set $s (i32.add (local.get $s) (i32.const 4)))
        (local.set $d (i32.add (local.get $d) (i32.const 4)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $sloop)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rloop))))

  ;; Reductions and broadcasting arithmetic (simd-elementwise.ts).
  ;; colsum: out[a, c] = scale * sum_r x[a, r, c] for x [A, R, C] (a sum over the middle axis), 16 then 4 then 1
  ;; columns at a time, the sum kept in registers down each column block.
  (func (export "colsum") (param $x i32) (param $out i32) (param $A i32) (param $R i32) (param $C i32) (param $scale f32)
    (local $a i32) (local $c i32) (local $r i32) (local $p i32) (local $base i32) (local $cb i32) (local $o i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $sc v128) (local $s f32)
    (local.set $cb (i32.shl (local.get $C) (i32.const 2)))
    (local.set $sc (f32x4.splat (local.get $scale)))
    (local.set $o (local.get $out))
    (block $adone (loop $aloop
      (br_if $adone (i32.ge_u (local.get $a) (local.get $A)))
      (local.set $base (i32.add (local.get $x) (i32.mul (i32.mul (local.get $a) (local.get $R)) (local.get $cb))))
      (local.set $c (i32.const 0))
      (block $c16done (loop $c16loop
        (br_if $c16done (i32.gt_u (i32.add (local.get $c) (i32.const 16)) (local.get $C)))
        (local.set $s0 (v128.const i32x4 0 0 0 0))
        (local.set $s1 (v128.const i32x4 0 0 0 0))
        (local.set $s2 (v128.const i32x4 0 0 0 0))
        (local.set $s3 (v128.const i32x4 0 0 0 0))
        (local.set $p (i32.add (local.get $base) (i32.shl (local.get $c) (i32.const 2))))
        (local.set $r (i32.const 0))
        (block $rdone (loop $rloop
          (br_if $rdone (i32.ge_u (local.get $r) (local.get $R)))
          (local.set $s0 (f32x4.add (local.get $s0) (v128.load offset=0 align=4 (local.get $p))))
          (local.set $s1 (f32x4.add (local.get $s1) (v128.load offset=16 align=4 (local.get $p))))
          (local.set $s2 (f32x4.add (local.get $s2) (v128.load offset=32 align=4 (local.get $p))))
          (local.set $s3 (f32x4.add (local.get $s3) (v128.load offset=48 align=4 (local.get $p))))
          (local.set $p (i32.add (local.get $p) (local.get $cb)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $rloop)))
        (v128.store offset=0 align=4 (local.get $o) (f32x4.mul (local.get $s0) (local.get $sc)))
        (v128.store offset=16 align=4 (local.get $o) (f32x4.mul (local.get $s1) (local.get $sc)))
        (v128.store offset=32 align=4 (local.get $o) (f32x4.mul (local.get $s2) (local.get $sc)))
        (v128.store offset=48 align=4 (local.get $o) (f32x4.mul (local.get $s3) (local.get $sc)))
        (local.set $o (i32.add (local.get $o) (i32.const 64)))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $c16loop)))
      (block $c4done (loop $c4loop
        (br_if $c4done (i32.gt_u (i32.add (local.get $c) (i32.const 4)) (local.get $C)))
        (local.set $s0 (v128.const i32x4 0 0 0 0))
        (local.set $p (i32.add (local.get $base) (i32.shl (local.get $c) (i32.const 2))))
        (local.set $r (i32.const 0))
        (block $rdone (loop $rloop
          (br_if $rdone (i32.ge_u (local.get $r) (local.get $R)))
          (local.set $s0 (f32x4.add (local.get $s0) (v128.load align=4 (local.get $p))))
          (local.set $p (i32.add (local.get $p) (local.get $cb)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $rloop)))
        (v128.store align=4 (local.get $o) (f32x4.mul (local.get $s0) (local.get $sc)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $c4loop)))
      (block $c1done (loop $c1loop
        (br_if $c1done (i32.ge_u (local.get $c) (local.get $C)))
        (local.set $s (f32.const 0))
        (local.set $p (i32.add (local.get $base) (i32.shl (local.get $c) (i32.const 2))))
        (local.set $r (i32.const 0))
        (block $rdone (loop $rloop
          (br_if $rdone (i32.ge_u (local.get $r) (local.get $R)))
          (local.set $s (f32.add (local.get $s) (f32.load (local.get $p))))
          (local.set $p (i32.add (local.get $p) (local.get $cb)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $rloop)))
        (f32.store (local.get $o) (f32.mul (local.get $s) (local.get $scale)))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $c1loop)))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $aloop))))

  ;; One innermost run of a broadcasting binary op: out[j] = a[j·sa] op b[j·sb] for j < n, where each of
  ;; sa, sb is 1 (contiguous) or 0 (one value broadcast). op: 0 add, 1 sub, 2 mul, 3 div.
  (func $binrun (param $op i32) (param $a i32) (param $b i32) (param $out i32) (param $n i32) (param $sa i32) (param $sb i32)
    (local $j i32) (local $va v128) (local $vb v128) (local $r v128) (local $x f32) (local $y f32) (local $z f32)
    (local $da i32) (local $db i32)
    (local.set $da (i32.shl (local.get $sa) (i32.const 4)))
    (local.set $db (i32.shl (local.get $sb) (i32.const 4)))
    (if (i32.eqz (local.get $sa)) (then (local.set $va (v128.load32_splat (local.get $a)))))
    (if (i32.eqz (local.get $sb)) (then (local.set $vb (v128.load32_splat (local.get $b)))))
    (block $vdone (loop $vloop
      (br_if $vdone (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
      (if (local.get $sa) (then (local.set $va (v128.load align=4 (local.get $a)))))
      (if (local.get $sb) (then (local.set $vb (v128.load align=4 (local.get $b)))))
      (block $done
        (block $div (block $mul (block $sub (block $add
          (br_table $add $sub $mul $div (local.get $op)))
          (local.set $r (f32x4.add (local.get $va) (local.get $vb))) (br $done))
          (local.set $r (f32x4.sub (local.get $va) (local.get $vb))) (br $done))
          (local.set $r (f32x4.mul (local.get $va) (local.get $vb))) (br $done))
          (local.set $r (f32x4.div (local.get $va) (local.get $vb))))
      (v128.store align=4 (local.get $out) (local.get $r))
      (local.set $a (i32.add (local.get $a) (local.get $da)))
      (local.set $b (i32.add (local.get $b) (local.get $db)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $vloop)))
    (local.set $da (i32.shl (local.get $sa) (i32.const 2)))
    (local.set $db (i32.shl (local.get $sb) (i32.const 2)))
    (block $sdone (loop $sloop
      (br_if $sdone (i32.ge_u (local.get $j) (local.get $n)))
      (local.set $x (f32.load (local.get $a)))
      (local.set $y (f32.load (local.get $b)))
      (block $done
        (block $div (block $mul (block $sub (block $add
          (br_table $add $sub $mul $div (local.get $op)))
          (local.set $z (f32.add (local.get $x) (local.get $y))) (br $done))
          (local.set $z (f32.sub (local.get $x) (local.get $y))) (br $done))
          (local.set $z (f32.mul (local.get $x) (local.get $y))) (br $done))
          (local.set $z (f32.div (local.get $x) (local.get $y))))
      (f32.store (local.get $out) (local.get $z))
      (local.set $a (i32.add (local.get $a) (local.get $da)))
      (local.set $b (i32.add (local.get $b) (local.get $db)))
      (local.set $out (i32.add (local.get $out) (i32.const 4)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $sloop))))

  ;; A broadcasting binary op over a collapsed rank-4 shape [n0, n1, n2, n3] (row-major output); sa*, sb*
  ;; are the operands' element strides per axis (0 where broadcast); the innermost strides must be 0 or 1.
  (func (export "binop") (param $op i32) (param $a i32) (param $b i32) (param $out i32)
    (param $n0 i32) (param $n1 i32) (param $n2 i32) (param $n3 i32)
    (param $sa0 i32) (param $sa1 i32) (param $sa2 i32) (param $sa3 i32)
    (param $sb0 i32) (param $sb1 i32) (param $sb2 i32) (param $sb3 i32)
    (local $i0 i32) (local $i1 i32) (local $i2 i32) (local $pa i32) (local $pb i32)
    (block $d0 (loop $l0
      (br_if $d0 (i32.ge_u (local.get $i0) (local.get $n0)))
      (local.set $i1 (i32.const 0))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_u (local.get $i1) (local.get $n1)))
        (local.set $i2 (i32.const 0))
        (block $d2 (loop $l2
          (br_if $d2 (i32.ge_u (local.get $i2) (local.get $n2)))
          (local.set $pa (i32.shl (i32.add (i32.add (i32.mul (local.get $i0) (local.get $sa0)) (i32.mul (local.get $i1) (local.get $sa1))) (i32.mul (local.get $i2) (local.get $sa2))) (i32.const 2)))
          (local.set $pb (i32.shl (i32.add (i32.add (i32.mul (local.get $i0) (local.get $sb0)) (i32.mul (local.get $i1) (local.get $sb1))) (i32.mul (local.get $i2) (local.get $sb2))) (i32.const 2)))
          (call $binrun (local.get $op) (i32.add (local.get $a) (local.get $pa)) (i32.add (local.get $b) (local.get $pb)) (local.get $out)
            (local.get $n3) (local.get $sa3) (local.get $sb3))
          (local.set $out (i32.add (local.get $out) (i32.shl (local.get $n3) (i32.const 2))))
          (local.set $i2 (i32.add (local.get $i2) (i32.const 1)))
          (br $l2)))
        (local.set $i1 (i32.add (local.get $i1) (i32.const 1)))
        (br $l1)))
      (local.set $i0 (i32.add (local.get $i0) (i32.const 1)))
      (br $l0))))
;; Adam (adam-kernel.ts): the same float32 operations in the same order as its JavaScript loop (and as
  ;; the op chains it replaces), four lanes at a time; IEEE float32 +, -, ×, ÷ and √ round the same way,
  ;; so the result is bit for bit the same. mode 0 ('tfjs'): θ' = (m'/c1) / (√(v'/c2) + ε) · rate + θ with
  ;; rate = −α; mode 1 ('folded'): θ' = θ − rate · (m' / (√v' + ε)). Pointers in bytes, n elements.
  (func (export "adam") (param $mode i32) (param $x i32) (param $m i32) (param $v i32) (param $g i32)
    (param $ox i32) (param $om i32) (param $ov i32) (param $n i32)
    (param $b1 f32) (param $ob1 f32) (param $b2 f32) (param $ob2 f32) (param $eps f32) (param $rate f32) (param $c1 f32) (param $c2 f32)
    (local $i i32) (local $o i32) (local $gv v128) (local $mn v128) (local $vn v128) (local $st v128)
    (local $gs f32) (local $ms f32) (local $vs f32) (local $ss f32)
    (block $vdone (loop $vloop
      (br_if $vdone (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
      (local.set $o (i32.shl (local.get $i) (i32.const 2)))
      (local.set $gv (v128.load align=4 (i32.add (local.get $g) (local.get $o))))
      (local.set $mn (f32x4.add
        (f32x4.mul (v128.load align=4 (i32.add (local.get $m) (local.get $o))) (f32x4.splat (local.get $b1)))
        (f32x4.mul (local.get $gv) (f32x4.splat (local.get $ob1)))))
      (local.set $vn (f32x4.add
        (f32x4.mul (v128.load align=4 (i32.add (local.get $v) (local.get $o))) (f32x4.splat (local.get $b2)))
        (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (f32x4.splat (local.get $ob2)))))
      (if (i32.eqz (local.get $mode))
        (then
          (local.set $st (f32x4.div
            (f32x4.div (local.get $mn) (f32x4.splat (local.get $c1)))
            (f32x4.add (f32x4.sqrt (f32x4.div (local.get $vn) (f32x4.splat (local.get $c2)))) (f32x4.splat (local.get $eps)))))
          (v128.store align=4 (i32.add (local.get $ox) (local.get $o))
            (f32x4.add (f32x4.mul (local.get $st) (f32x4.splat (local.get $rate))) (v128.load align=4 (i32.add (local.get $x) (local.get $o))))))
        (else
          (v128.store align=4 (i32.add (local.get $ox) (local.get $o))
            (f32x4.sub (v128.load align=4 (i32.add (local.get $x) (local.get $o)))
              (f32x4.mul (f32x4.splat (local.get $rate))
                (f32x4.div (local.get $mn) (f32x4.add (f32x4.sqrt (local.get $vn)) (f32x4.splat (local.get $eps)))))))))
      (v128.store align=4 (i32.add (local.get $om) (local.get $o)) (local.get $mn))
      (v128.store align=4 (i32.add (local.get $ov) (local.get $o)) (local.get $vn))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $vloop)))
    (block $sdone (loop $sloop
      (br_if $sdone (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $o (i32.shl (local.get $i) (i32.const 2)))
      (local.set $gs (f32.load (i32.add (local.get $g) (local.get $o))))
      (local.set $ms (f32.add (f32.mul (f32.load (i32.add (local.get $m) (local.get $o))) (local.get $b1)) (f32.mul (local.get $gs) (local.get $ob1))))
      (local.set $vs (f32.add (f32.mul (f32.load (i32.add (local.get $v) (local.get $o))) (local.get $b2))
        (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $ob2))))
      (if (i32.eqz (local.get $mode))
        (then
          (local.set $ss (f32.div (f32.div (local.get $ms) (local.get $c1))
            (f32.add (f32.sqrt (f32.div (local.get $vs) (local.get $c2))) (local.get $eps))))
          (f32.store (i32.add (local.get $ox) (local.get $o))
            (f32.add (f32.mul (local.get $ss) (local.get $rate)) (f32.load (i32.add (local.get $x) (local.get $o))))))
        (else
          (f32.store (i32.add (local.get $ox) (local.get $o))
            (f32.sub (f32.load (i32.add (local.get $x) (local.get $o)))
              (f32.mul (local.get $rate) (f32.div (local.get $ms) (f32.add (f32.sqrt (local.get $vs)) (local.get $eps))))))))
      (f32.store (i32.add (local.get $om) (local.get $o)) (local.get $ms))
      (f32.store (i32.add (local.get $ov) (local.get $o)) (local.get $vs))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $sloop))))
;; exp (simd-unary.ts): Cephes' expf, four lanes at a time. e^x = 2^n · e^r with n = round(x·log2 e) and
  ;; r = x − n·ln 2 (ln 2 split in two so r is exact), e^r by Cephes' degree-6 polynomial (about 1 ulp).
  ;; Results above 88.72 are +inf and below −87.33 are 0 (float32 denormals are not produced); NaN stays NaN.
  (func $exp4 (param $x v128) (result v128)
    (local $n v128) (local $r v128) (local $p v128) (local $xc v128) (local $k v128) (local $a v128)
    ;; pmax/pmin (x86 maxps/minps: one instruction each, where max/min's NaN rules cost a sequence);
    ;; pmax(a, b) = a < b ? b : a and pmin(a, b) = b < a ? b : a, so with x first a NaN x stays NaN
    (local.set $xc (f32x4.pmin (f32x4.pmax (local.get $x) (f32x4.splat (f32.const -87.33654))) (f32x4.splat (f32.const 88.72283))))
    ;; n = round(x / ln 2) by the 1.5·2^23 trick: adding it rounds to an integer in the low mantissa bits, so
    ;; (bits of the sum) − (bits of 1.5·2^23) is n as an integer, without a float-to-int conversion
    (local.set $n (f32x4.add (f32x4.mul (local.get $xc) (f32x4.splat (f32.const 1.44269504088896341))) (f32x4.splat (f32.const 12582912))))
    (local.set $k (i32x4.sub (local.get $n) (i32x4.splat (i32.const 0x4B400000))))
    (local.set $n (f32x4.sub (local.get $n) (f32x4.splat (f32.const 12582912))))
    (local.set $r (f32x4.sub (f32x4.sub (local.get $xc) (f32x4.mul (local.get $n) (f32x4.splat (f32.const 0.693359375))))
      (f32x4.mul (local.get $n) (f32x4.splat (f32.const -2.12194440e-4)))))
    (local.set $p (f32x4.splat (f32.const 1.9875691500e-4)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1.3981999507e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 8.3334519073e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 4.1665795894e-2))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1.6666665459e-1))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 5.0000001201e-1))))
    (local.set $p (f32x4.add (f32x4.add (f32x4.mul (f32x4.mul (local.get $p) (local.get $r)) (local.get $r)) (local.get $r)) (f32x4.splat (f32.const 1))))
    ;; times 2^n as 2^a · 2^(n−a) with a = n >> 1, both normal floats for every n in [−126, 128]
    (local.set $a (i32x4.shr_s (local.get $k) (i32.const 1)))
    (local.set $p (f32x4.mul (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.add (local.get $a) (i32x4.splat (i32.const 127))) (i32.const 23)))
      (i32x4.shl (i32x4.add (i32x4.sub (local.get $k) (local.get $a)) (i32x4.splat (i32.const 127))) (i32.const 23))))
    ;; out of range: +inf above, 0 below; NaN (all compares false) passes through the polynomial as NaN
    (local.set $p (v128.bitselect (f32x4.splat (f32.const inf)) (local.get $p) (f32x4.gt (local.get $x) (f32x4.splat (f32.const 88.72283)))))
    (v128.bitselect (f32x4.splat (f32.const 0)) (local.get $p) (f32x4.lt (local.get $x) (f32x4.splat (f32.const -87.33654)))))

  ;; out[i] = exp(x[i]) for i < n (pointers in bytes); the n mod 4 tail through one padded vector.
  (func (export "exp") (param $x i32) (param $out i32) (param $n i32)
    (local $i i32) (local $v v128) (local $k i32)
    (block $vdone (loop $vloop
      (br_if $vdone (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
      (v128.store align=4 (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
        (call $exp4 (v128.load align=4 (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $vloop)))
    (block $sdone (loop $sloop
      (br_if $sdone (i32.ge_u (local.get $i) (local.get $n)))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
        (f32x4.extract_lane 0 (call $exp4 (f32x4.splat (f32.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $sloop))))

  ;; Group norm (group-norm-kernel.ts) over x viewed as [B, S, C] (S = H·W), C a multiple of 4, groups of
  ;; cg = C/G adjacent channels. Per image: channel sums down the rows (C/4 vectors in memory, which stay in
  ;; L1), then the group's value spread back to its channels by a short scalar loop.
  ;; $chanSums: acc[c] = Σ_s x[s, c] (sq = 0) or Σ_s (x[s, c] − mean[c])² (sq = 1).
  (func $chanSums (param $x i32) (param $S i32) (param $C i32) (param $acc i32) (param $mean i32) (param $sq i32)
    (local $s i32) (local $c i32) (local $p i32) (local $v v128) (local $row i32)
    (local.set $row (i32.shl (local.get $C) (i32.const 2)))
    (block $zd (loop $zl
      (br_if $zd (i32.ge_u (local.get $c) (local.get $row)))
      (v128.store align=4 (i32.add (local.get $acc) (local.get $c)) (v128.const i32x4 0 0 0 0))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $zl)))
    (local.set $p (local.get $x))
    (block $sd (loop $sl
      (br_if $sd (i32.ge_u (local.get $s) (local.get $S)))
      (local.set $c (i32.const 0))
      (block $cd (loop $cl
        (br_if $cd (i32.ge_u (local.get $c) (local.get $row)))
        (local.set $v (v128.load align=4 (i32.add (local.get $p) (local.get $c))))
        (if (local.get $sq) (then
          (local.set $v (f32x4.sub (local.get $v) (v128.load align=4 (i32.add (local.get $mean) (local.get $c)))))
          (local.set $v (f32x4.mul (local.get $v) (local.get $v)))))
        (v128.store align=4 (i32.add (local.get $acc) (local.get $c))
          (f32x4.add (v128.load align=4 (i32.add (local.get $acc) (local.get $c))) (local.get $v)))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $cl)))
      (local.set $p (i32.add (local.get $p) (local.get $row)))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br $sl))))

  ;; out[c] = scale · Σ_{c' in c's group} acc[c'], for every channel c.
  (func $groupSpread (param $acc i32) (param $out i32) (param $C i32) (param $cg i32) (param $scale f32)
    (local $g0 i32) (local $c i32) (local $end i32) (local $t f32)
    (block $gd (loop $gl
      (br_if $gd (i32.ge_u (local.get $g0) (local.get $C)))
      (local.set $end (i32.add (local.get $g0) (local.get $cg)))
      (local.set $t (f32.const 0))
      (local.set $c (local.get $g0))
      (block $sd (loop $sl
        (br_if $sd (i32.ge_u (local.get $c) (local.get $end)))
        (local.set $t (f32.add (local.get $t) (f32.load (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 2))))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $sl)))
      (local.set $t (f32.mul (local.get $t) (local.get $scale)))
      (local.set $c (local.get $g0))
      (block $wd (loop $wl
        (br_if $wd (i32.ge_u (local.get $c) (local.get $end)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2))) (local.get $t))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $wl)))
      (local.set $g0 (local.get $end))
      (br $gl))))

  ;; gn_forward: mean and r = 1/sqrt(var + eps) per image and group (two passes, as the op chain), then
  ;; xhat = (x − mean)·r and y = xhat·γ + β in one. rstd [B, C] receives r spread to channels; scratch: 8·C bytes.
  (func (export "gn_forward") (param $x i32) (param $gamma i32) (param $beta i32) (param $y i32) (param $xhat i32) (param $rstd i32)
    (param $B i32) (param $S i32) (param $C i32) (param $G i32) (param $eps f32) (param $scratch i32)
    (local $b i32) (local $cg i32) (local $inv f32) (local $mean i32) (local $r i32) (local $img i32) (local $row i32)
    (local $s i32) (local $c i32) (local $p i32) (local $q i32) (local $v v128)
    (local.set $cg (i32.div_u (local.get $C) (local.get $G)))
    (local.set $inv (f32.div (f32.const 1) (f32.convert_i32_u (i32.mul (local.get $S) (local.get $cg)))))
    (local.set $row (i32.shl (local.get $C) (i32.const 2)))
    (local.set $mean (i32.add (local.get $scratch) (local.get $row)))
    (block $bd (loop $bl
      (br_if $bd (i32.ge_u (local.get $b) (local.get $B)))
      (local.set $img (i32.mul (local.get $b) (i32.mul (local.get $S) (local.get $row))))
      (local.set $r (i32.add (local.get $rstd) (i32.mul (local.get $b) (local.get $row))))
      (call $chanSums (i32.add (local.get $x) (local.get $img)) (local.get $S) (local.get $C) (local.get $scratch) (local.get $mean) (i32.const 0))
      (call $groupSpread (local.get $scratch) (local.get $mean) (local.get $C) (local.get $cg) (local.get $inv))
      (call $chanSums (i32.add (local.get $x) (local.get $img)) (local.get $S) (local.get $C) (local.get $scratch) (local.get $mean) (i32.const 1))
      (call $groupSpread (local.get $scratch) (local.get $r) (local.get $C) (local.get $cg) (local.get $inv))
      (local.set $c (i32.const 0))
      (block $rd (loop $rl
        (br_if $rd (i32.ge_u (local.get $c) (local.get $row)))
        (v128.store align=4 (i32.add (local.get $r) (local.get $c))
          (f32x4.div (f32x4.splat (f32.const 1))
            (f32x4.sqrt (f32x4.add (v128.load align=4 (i32.add (local.get $r) (local.get $c))) (f32x4.splat (local.get $eps))))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $rl)))
      (local.set $s (i32.const 0))
      (local.set $p (local.get $img))
      (block $sd (loop $sl
        (br_if $sd (i32.ge_u (local.get $s) (local.get $S)))
        (local.set $c (i32.const 0))
        (block $cd (loop $cl
          (br_if $cd (i32.ge_u (local.get $c) (local.get $row)))
          (local.set $q (i32.add (local.get $p) (local.get $c)))
          (local.set $v (f32x4.mul
            (f32x4.sub (v128.load align=4 (i32.add (local.get $x) (local.get $q))) (v128.load align=4 (i32.add (local.get $mean) (local.get $c))))
            (v128.load align=4 (i32.add (local.get $r) (local.get $c)))))
          (v128.store align=4 (i32.add (local.get $xhat) (local.get $q)) (local.get $v))
          (v128.store align=4 (i32.add (local.get $y) (local.get $q))
            (f32x4.add (f32x4.mul (local.get $v) (v128.load align=4 (i32.add (local.get $gamma) (local.get $c))))
              (v128.load align=4 (i32.add (local.get $beta) (local.get $c)))))
          (local.set $c (i32.add (local.get $c) (i32.const 16)))
          (br $cl)))
        (local.set $p (i32.add (local.get $p) (local.get $row)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $sl)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bl))))

  ;; gn_backward, with ĝ = dy·γ and means over each image's group:
  ;;   dx = (ĝ − mean(ĝ) − xhat·mean(ĝ·xhat))·r,  dγ = Σ dy·xhat,  dβ = Σ dy   (dγ, dβ [C] over the batch).
  ;; Per image one pass for the channel sums Σ dy and Σ dy·xhat, one for dx. scratch: 16·C bytes.
  (func (export "gn_backward") (param $dy i32) (param $xhat i32) (param $rstd i32) (param $gamma i32) (param $dx i32)
    (param $dgamma i32) (param $dbeta i32) (param $B i32) (param $S i32) (param $C i32) (param $G i32) (param $scratch i32)
    (local $b i32) (local $cg i32) (local $inv f32) (local $row i32) (local $img i32) (local $r i32)
    (local $sdy i32) (local $sdyx i32) (local $m1 i32) (local $m2 i32)
    (local $s i32) (local $c i32) (local $p i32) (local $q i32) (local $d v128) (local $h v128) (local $gm v128)
    (local.set $cg (i32.div_u (local.get $C) (local.get $G)))
    (local.set $inv (f32.div (f32.const 1) (f32.convert_i32_u (i32.mul (local.get $S) (local.get $cg)))))
    (local.set $row (i32.shl (local.get $C) (i32.const 2)))
    (local.set $sdy (local.get $scratch))
    (local.set $sdyx (i32.add (local.get $scratch) (local.get $row)))
    (local.set $m1 (i32.add (local.get $sdyx) (local.get $row)))
    (local.set $m2 (i32.add (local.get $m1) (local.get $row)))
    (block $zd (loop $zl
      (br_if $zd (i32.ge_u (local.get $c) (local.get $row)))
      (v128.store align=4 (i32.add (local.get $dgamma) (local.get $c)) (v128.const i32x4 0 0 0 0))
      (v128.store align=4 (i32.add (local.get $dbeta) (local.get $c)) (v128.const i32x4 0 0 0 0))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $zl)))
    (block $bd (loop $bl
      (br_if $bd (i32.ge_u (local.get $b) (local.get $B)))
      (local.set $img (i32.mul (local.get $b) (i32.mul (local.get $S) (local.get $row))))
      (local.set $r (i32.add (local.get $rstd) (i32.mul (local.get $b) (local.get $row))))
      ;; channel sums of dy and dy·xhat
      (local.set $c (i32.const 0))
      (block $z2 (loop $z2l
        (br_if $z2 (i32.ge_u (local.get $c) (local.get $row)))
        (v128.store align=4 (i32.add (local.get $sdy) (local.get $c)) (v128.const i32x4 0 0 0 0))
        (v128.store align=4 (i32.add (local.get $sdyx) (local.get $c)) (v128.const i32x4 0 0 0 0))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $z2l)))
      (local.set $s (i32.const 0))
      (local.set $p (local.get $img))
      (block $sd (loop $sl
        (br_if $sd (i32.ge_u (local.get $s) (local.get $S)))
        (local.set $c (i32.const 0))
        (block $cd (loop $cl
          (br_if $cd (i32.ge_u (local.get $c) (local.get $row)))
          (local.set $q (i32.add (local.get $p) (local.get $c)))
          (local.set $d (v128.load align=4 (i32.add (local.get $dy) (local.get $q))))
          (local.set $h (v128.load align=4 (i32.add (local.get $xhat) (local.get $q))))
          (v128.store align=4 (i32.add (local.get $sdy) (local.get $c)) (f32x4.add (v128.load align=4 (i32.add (local.get $sdy) (local.get $c))) (local.get $d)))
          (v128.store align=4 (i32.add (local.get $sdyx) (local.get $c))
            (f32x4.add (v128.load align=4 (i32.add (local.get $sdyx) (local.get $c))) (f32x4.mul (local.get $d) (local.get $h))))
          (local.set $c (i32.add (local.get $c) (i32.const 16)))
          (br $cl)))
        (local.set $p (i32.add (local.get $p) (local.get $row)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $sl)))
      ;; dβ += Σ dy, dγ += Σ dy·xhat; then the sums times γ, averaged over each group
      (local.set $c (i32.const 0))
      (block $ad (loop $al
        (br_if $ad (i32.ge_u (local.get $c) (local.get $row)))
        (local.set $d (v128.load align=4 (i32.add (local.get $sdy) (local.get $c))))
        (local.set $h (v128.load align=4 (i32.add (local.get $sdyx) (local.get $c))))
        (local.set $gm (v128.load align=4 (i32.add (local.get $gamma) (local.get $c))))
        (v128.store align=4 (i32.add (local.get $dbeta) (local.get $c)) (f32x4.add (v128.load align=4 (i32.add (local.get $dbeta) (local.get $c))) (local.get $d)))
        (v128.store align=4 (i32.add (local.get $dgamma) (local.get $c)) (f32x4.add (v128.load align=4 (i32.add (local.get $dgamma) (local.get $c))) (local.get $h)))
        (v128.store align=4 (i32.add (local.get $sdy) (local.get $c)) (f32x4.mul (local.get $d) (local.get $gm)))
        (v128.store align=4 (i32.add (local.get $sdyx) (local.get $c)) (f32x4.mul (local.get $h) (local.get $gm)))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $al)))
      (call $groupSpread (local.get $sdy) (local.get $m1) (local.get $C) (local.get $cg) (local.get $inv))
      (call $groupSpread (local.get $sdyx) (local.get $m2) (local.get $C) (local.get $cg) (local.get $inv))
      ;; dx
      (local.set $s (i32.const 0))
      (local.set $p (local.get $img))
      (block $xd (loop $xl
        (br_if $xd (i32.ge_u (local.get $s) (local.get $S)))
        (local.set $c (i32.const 0))
        (block $cd2 (loop $cl2
          (br_if $cd2 (i32.ge_u (local.get $c) (local.get $row)))
          (local.set $q (i32.add (local.get $p) (local.get $c)))
          (v128.store align=4 (i32.add (local.get $dx) (local.get $q))
            (f32x4.mul
              (f32x4.sub
                (f32x4.sub
                  (f32x4.mul (v128.load align=4 (i32.add (local.get $dy) (local.get $q))) (v128.load align=4 (i32.add (local.get $gamma) (local.get $c))))
                  (v128.load align=4 (i32.add (local.get $m1) (local.get $c))))
                (f32x4.mul (v128.load align=4 (i32.add (local.get $xhat) (local.get $q))) (v128.load align=4 (i32.add (local.get $m2) (local.get $c)))))
              (v128.load align=4 (i32.add (local.get $r) (local.get $c)))))
          (local.set $c (i32.add (local.get $c) (i32.const 16)))
          (br $cl2)))
        (local.set $p (i32.add (local.get $p) (local.get $row)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $xl)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bl))))
)
