// SPDX-License-Identifier: GPL-3.0-or-later
// The WSO2 tutorial's Chats backend, written with the `ws` npm package: a peer the
// gateway did not come with. Prints "port N" once listening and one line per
// opened / closed connection.
const path = require('path');
const { WebSocketServer } = require(path.join(process.env.GATEHOUSE_NODE_MODULES, 'ws'));

const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (protocols) => (protocols.has('chat.v2') ? 'chat.v2' : false),
});
const notifications = new Set();
const rooms = new Map();

wss.on('connection', (ws, req) => {
    const url = new URL(req.url, 'http://backend');
    console.log(`open ${req.url} xff=${req.headers['x-forwarded-for'] || ''} protocol=${ws.protocol}`);
    ws.on('close', (code, reason) => console.log(`close ${req.url} ${code} ${reason}`));
    if (url.pathname === '/notifications') {
        notifications.add(ws);
        ws.on('close', () => notifications.delete(ws));
        ws.send('Subscribed to notifications!');
    } else if (url.pathname === '/rooms') {
        const room = url.searchParams.get('room') || '';
        if (!rooms.has(room))
            rooms.set(room, new Set());
        const members = rooms.get(room);
        members.add(ws);
        ws.on('close', () => members.delete(ws));
        ws.on('message', (data, isBinary) => {
            for (const other of members)
                if (other !== ws)
                    other.send(data, { binary: isBinary });
        });
        ws.send(`You joined ${room}!`);
        for (const n of notifications)
            n.send(`Someone joined ${room}!`);
    } else {
        ws.close(4404, 'unknown path');
    }
});
wss.on('listening', () => console.log(`port ${wss.address().port}`));
