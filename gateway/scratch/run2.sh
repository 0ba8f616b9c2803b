#!/bin/bash
# Scratch: stub upstream + gateway (+ optional cpu profile) + autocannon; prints gateway CPU/request.
cd /work/main
DUR=${DUR:-10}
PORT=9101 node --import tsx gateway/scratch/stub-upstream.ts & STUB=$!
sleep 2
PROF=${PROF:-}
REGISTRY_URL=http://127.0.0.1:9101 PORT=9102 REDIS_URL=${REDIS:-redis://127.0.0.1:6379} LOG_LEVEL=warn RATE_LIMIT_PER_MINUTE=100000000 node $PROF --import tsx ${ENTRY:-gateway/src/main.ts} & GW=$!
sleep 3
TOKEN=$(cat /tmp/gw-token)
node -e "
const ac=require('autocannon');
ac({url:'http://127.0.0.1:9102/api/registry/v1/organisations',connections:50,duration:3,headers:{authorization:'Bearer $TOKEN'}},()=>{});" >/dev/null 2>&1
sleep 4
read_cpu() { awk '{print $14+$15}' /proc/$1/stat; }
B=$(read_cpu $GW); BS=$(read_cpu $STUB)
node -e "
const ac=require('autocannon');
ac({url:'http://127.0.0.1:9102/api/registry/v1/organisations',connections:50,duration:$DUR,${RATE:+overallRate:$RATE,}headers:{authorization:'Bearer $TOKEN'}},(e,r)=>{console.log('req/s',Math.round(r.requests.total/r.duration),'total',r.requests.total,'non2xx',r.non2xx,'p50',r.latency.p50,'p99',r.latency.p99); require('fs').writeFileSync('/tmp/gw-total', String(r.requests.total));});"
A=$(read_cpu $GW); AS=$(read_cpu $STUB)
T=$(cat /tmp/gw-total)
echo "gateway CPU µs/req: $(( (A-B)*10000*1000/T/1000 ))  stub CPU µs/req: $(( (AS-BS)*10000*1000/T/1000 ))"
kill -INT $GW; sleep 2; kill $STUB; wait
