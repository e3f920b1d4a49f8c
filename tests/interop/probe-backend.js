// SPDX-License-Identifier: GPL-3.0-or-later
// A backend written as Node services usually are: it routes on
// new URL(req.url, base).pathname, with the `ws` npm package. Each connection is
// told, as its first message, what the backend read: the request target as sent,
// the path the URL parser resolved, the query, and the Authorization headers. On
// /secure it then sends the secret an unauthenticated client must never see.
// Prints "port N" once listening.
const path = require('path');
const { WebSocketServer } = require(path.join(process.env.GATEHOUSE_NODE_MODULES, 'ws'));

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
wss.on('connection', (ws, req) => {
    const url = new URL(req.url, 'http://backend');
    const authorization = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2)
        if (req.rawHeaders[i].toLowerCase() === 'authorization')
            authorization.push(req.rawHeaders[i + 1]);
    ws.send(JSON.stringify({
        target: req.url,
        pathname: url.pathname,
        query: [...url.searchParams.entries()],
        authorization,
    }));
    if (url.pathname === '/secure')
        ws.send('SECRET');
});
wss.on('listening', () => console.log(`port ${wss.address().port}`));
