#!/bin/sh
# Run by Heat's agents on the server at stack create and at every update that changes
# an input. The inputs arrive as environment variables ($greeting, $owner); each
# output is written to the file $heat_outputs_path.<name>.
set -e
mkdir -p /usr/share/nginx/html
cat > /usr/share/nginx/html/index.html <<PAGE
<!doctype html>
<title>hotdsl</title>
<h1>${greeting}</h1>
<p>Looked after by ${owner}.</p>
PAGE
address=$(hostname -I | cut -d' ' -f1)
printf 'http://%s/' "$address" > "${heat_outputs_path}.url"
