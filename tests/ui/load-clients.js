// SPDX-License-Identifier: GPL-3.0-or-later
// Load for the window's gateway: CONNECTIONS clients (the `ws` npm package) send RATE
// messages a second between them for SECONDS, then print "sent N received M" and exit.
// node load-clients.js URL CONNECTIONS RATE SECONDS
const path = require('path');
const WebSocket = require(path.join(process.env.GATEHOUSE_NODE_MODULES, 'ws'));

const [url, connections, rate, seconds] = [process.argv[2], +process.argv[3], +process.argv[4],
                                            +process.argv[5]];
let open = 0, sent = 0, received = 0;
const clients = [];
for (let i = 0; i < connections; i++) {
    const ws = new WebSocket(url);
    ws.on('message', () => { received++; });
    ws.on('error', (e) => { console.error(`client ${i}: ${e.message}`); process.exit(1); });
    ws.on('open', () => { if (++open === connections) start(); });
    clients.push(ws);
}
function start() {
    const began = Date.now();
    const tick = setInterval(() => {
        const elapsed = (Date.now() - began) / 1000;
        if (elapsed >= seconds) {
            clearInterval(tick);
            setTimeout(() => {
                console.log(`sent ${sent} received ${received}`);
                for (const ws of clients) ws.close();
                process.exit(0);
            }, 1000);
            return;
        }
        // catch up to where the rate says we should be
        const due = Math.floor(elapsed * rate);
        while (sent < due) {
            clients[sent % connections].send('m' + sent);
            sent++;
        }
    }, 2);
}
