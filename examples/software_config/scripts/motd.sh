#!/bin/sh
# Run once by cloud-init at first boot, after the cloud-config part.
echo "Configured by Heat software deployments: see /var/lib/heat-config/" > /etc/motd
