"""A Flask example for frugal.stack's tests: deployed from a git repository with a requirements.txt."""

import os

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/")
def index():
    return "hello from flask\n", 200, {"Content-Type": "text/plain"}


@app.get("/health")
def health():
    return jsonify(status="ok")


@app.get("/release")
def release():
    return jsonify(release=os.path.basename(os.path.realpath(os.getcwd())))


@app.get("/whoami")
def whoami():
    from flask import request
    return jsonify(scheme=request.scheme, forwarded_proto=request.headers.get("X-Forwarded-Proto"),
                   remote_addr=request.remote_addr, real_ip=request.headers.get("X-Real-IP"))
