import Lake
open Lake DSL

/-! Native build for users with elan: `lake build` checks every module under `lean/`.
`make lean` uses this when a `lake` is on PATH, and the offline WebAssembly Lean otherwise. -/

package atomik where
  leanOptions := #[⟨`autoImplicit, false⟩]

@[default_target]
lean_lib Atomik where
  srcDir := "lean"
