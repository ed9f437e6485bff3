#!/bin/sh
# Runs once on first boot of every web server.
set -eu
echo "web server provisioned by hotdsl" > /etc/motd
