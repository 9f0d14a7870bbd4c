package rating

import (
	"runtime"
	"syscall"
	"unsafe"
)

// hugePage is the size of a transparent huge page on the platforms we run on.
const hugePage = 2 << 20

// hugeSlice returns a zeroed slice of n T in memory the kernel is asked to
// back with transparent huge pages, or nil when that is not worth it or not
// possible (the caller then uses make). A large deck's slot table is read
// at random; with 4 KiB pages nearly every lookup also misses the TLB and
// pays a page walk, with 2 MiB pages the table's translations fit the TLB.
// T must hold no Go pointers: the garbage collector does not see this
// memory. owner's cleanup unmaps it once owner is unreachable.
func hugeSlice[T any](owner *Deck, n int) []T {
	var zero T
	size := uintptr(n) * unsafe.Sizeof(zero)
	if n == 0 || size < hugePage {
		return nil
	}
	size = (size + hugePage - 1) &^ (hugePage - 1)
	mem, err := syscall.Mmap(-1, 0, int(size), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return nil
	}
	// Advice only: without THP the mapping still works with small pages.
	_ = syscall.Madvise(mem, 14 /* MADV_HUGEPAGE */)
	runtime.AddCleanup(owner, func(m []byte) { _ = syscall.Munmap(m) }, mem)
	return unsafe.Slice((*T)(unsafe.Pointer(&mem[0])), n)
}
