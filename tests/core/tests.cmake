# SPDX-License-Identifier: GPL-3.0-or-later
# Core tests that also run in the sanitizer stage (scripts/test-sanitizers runs the
# tests labelled integration or sanitizers). tst_credentialscli: the credential
# commands wait for asynchronous secret stores; a callback that outlives the frame it
# refers to passes normally and is only caught by AddressSanitizer.
# tst_epolleventdispatcher: a handler deletes another notifier of the same epoll batch;
# a dispatcher that kept using it would only show under AddressSanitizer.
# tst_handshakerequest: a request's parts are views of its own copy of the head.
# tst_messagelogstore: the writer reads views into blocks and hands its database to a
# checkpoint thread; tst_websocketcodec: payloads are views of the read buffer;
# tst_relayleg: messages are views of the thread's read buffer, partial frames are
# copied out of it between reads.
foreach(_test tst_credentialscli tst_epolleventdispatcher tst_handshakerequest tst_messagelogstore
              tst_relayleg tst_websocketcodec)
    if(TEST ${_test})
        set_property(TEST ${_test} APPEND PROPERTY LABELS sanitizers)
    endif()
endforeach()
