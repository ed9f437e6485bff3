#!/bin/sh
echo "booted" > /tmp/booted
