// SPDX-License-Identifier: GPL-3.0-or-later
// Linked into gatehouse-cli in the asan preset only (GCC's static UBSan runtime, see
// CMakeLists.txt). That runtime sets itself up at its first report and reads its
// suppressions file then; a process at its descriptor limit cannot open the file, and
// tst_gateway_faults runs serve there on purpose (with the suppressions of
// tests/sanitizers/ubsan-descriptor-limit.supp). Set up at start instead, while
// descriptors are free.

namespace __ubsan {
void InitAsStandalone(); // the runtime's own entry (libubsan.a); idempotent
}

namespace {

[[gnu::constructor]] void initUndefinedBehaviorSanitizer()
{
    __ubsan::InitAsStandalone();
}

} // namespace
