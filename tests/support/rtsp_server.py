#!/usr/bin/python3
"""A real RTSP server on loopback for the edge's system tests: serves a Motion-JPEG AVI file as an
RTSP camera would (RTP/JPEG, RFC 2435), in real time, through GStreamer's RTSP server library.

Usage: rtsp_server.py PORT MOUNT VIDEO    e.g. rtsp_server.py 8554 /cam traffic.avi
Prints "serving rtsp://127.0.0.1:PORT/MOUNT" once it accepts clients; runs until killed.
The stream ends with the file; a client that connects again gets it from the start.
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    port, mount, video = sys.argv[1:]
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    factory = GstRtspServer.RTSPMediaFactory()
    # Decoded and encoded again: RTP/JPEG carries only baseline 4:2:0 / 4:2:2 JPEG with standard
    # tables, which OpenCV's Motion-JPEG writer does not guarantee.
    factory.set_launch(f"( filesrc location={video} ! avidemux ! jpegdec ! videoconvert ! video/x-raw,format=I420 "
                       f"! jpegenc quality=90 ! rtpjpegpay name=pay0 pt=26 )")
    factory.set_shared(True)
    server.get_mount_points().add_factory(mount, factory)
    if server.attach(None) == 0:
        print(f"cannot listen on 127.0.0.1:{port}", file=sys.stderr)
        return 1
    print(f"serving rtsp://127.0.0.1:{port}{mount}", flush=True)
    GLib.MainLoop().run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
