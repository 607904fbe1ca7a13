// The client side of the bench's upload: a process of its own, as a user's curl or script is, so
// that sending the file does not share the server's event loop (bench/upload-route.ts).
// Usage: node bench/upload-client.mjs <port> <dataset name> <file>; the Bearer token comes in
// BENCH_UPLOAD_TOKEN. Prints `<status>\n<body>`.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";

const [port, name, filePath] = process.argv.slice(2);
const boundary = `----relayboard-bench-${crypto.randomBytes(12).toString("hex")}`;
const head = Buffer.from(
  `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\n${name}\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${path.basename(filePath)}"\r\n` +
    "Content-Type: text/csv\r\n\r\n",
);
const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
const size = fs.statSync(filePath).size;
const req = http.request(
  {
    host: "127.0.0.1",
    port: Number(port),
    method: "POST",
    path: "/v1/datasets/csv",
    headers: {
      authorization: `Bearer ${process.env.BENCH_UPLOAD_TOKEN}`,
      "content-type": `multipart/form-data; boundary=${boundary}`,
      "content-length": String(head.length + size + tail.length),
    },
  },
  (res) => {
    let body = "";
    res.setEncoding("utf8");
    res.on("data", (d) => (body += d));
    res.on("end", () => process.stdout.write(`${res.statusCode}\n${body}`));
  },
);
req.on("error", (err) => {
  console.error(err.message);
  process.exit(1);
});
req.write(head);
const file = fs.createReadStream(filePath, { highWaterMark: 256 * 1024 });
file.on("end", () => req.end(tail));
file.pipe(req, { end: false });
