# SPDX-License-Identifier: GPL-3.0-or-later
# Interop tests that also run in the sanitizer stage (scripts/test-sanitizers runs the
# tests labelled integration or sanitizers): wscat and a `ws` backend frame messages
# as real clients and servers do, through the gateway built with AddressSanitizer.
foreach(_test tst_wscat tst_chatstutorial tst_gatewaysecurity)
    if(TEST ${_test})
        set_property(TEST ${_test} APPEND PROPERTY LABELS sanitizers)
    endif()
endforeach()
