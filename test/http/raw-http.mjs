// One HTTP/1.1 request over a raw socket, for requests fetch() will not
// send: a Content-Length that promises more than the body, methods in any
// case or of any length. Resolves with the status line, head and body, or
// rejects when no answer comes within `boundMs` (a hang, not a measurement).
import net from "node:net";

export function rawRequest({ port, method, path, headers = {}, body = "", boundMs = 10_000 }) {
  const head = [`${method} ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)].join("\r\n");
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let got = "";
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      socket.destroy();
      reject(new Error(`no answer within ${boundMs} ms to ${method.slice(0, 20)} ${path}`));
    }, boundMs);
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const end = got.indexOf("\r\n\r\n");
      const h = end < 0 ? got : got.slice(0, end);
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(h)?.[1] ?? 0), head: h, body: end < 0 ? "" : got.slice(end + 4) });
    };
    socket.on("connect", () => socket.write(`${head}\r\n\r\n${body}`));
    socket.on("data", (d) => {
      got += d.toString("latin1");
      const end = got.indexOf("\r\n\r\n");
      if (end < 0) return;
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(got.slice(0, end))?.[1] ?? 0);
      if (got.length >= end + 4 + length) finish();
    });
    socket.on("end", finish);
    socket.on("error", (e) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(e);
    });
  });
}
