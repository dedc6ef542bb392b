# Sourced by scripts/build and scripts/test: chooses the build tags for this machine.
# LOGITLAB_TAGS=openblas when OpenBLAS's library and header are present (cgo), else empty (gonum BLAS).
if { [ -e /usr/include/x86_64-linux-gnu/cblas.h ] || [ -e /usr/include/cblas.h ] || [ -e /usr/include/openblas/cblas.h ]; } &&
   ldconfig -p 2>/dev/null | grep 'libopenblas\.so ' >/dev/null && command -v gcc >/dev/null 2>&1; then
  LOGITLAB_TAGS=${LOGITLAB_TAGS-openblas}
  LOGITLAB_BLAS_NOTE="OpenBLAS through cgo"
else
  LOGITLAB_TAGS=${LOGITLAB_TAGS-}
  LOGITLAB_BLAS_NOTE="OpenBLAS not found: gonum pure-Go BLAS"
fi
export LOGITLAB_TAGS LOGITLAB_BLAS_NOTE
