# CPU ticks per thread group between two snapshots of /proc/PID/task/*/stat (relay-cpu.sh).
import sys,collections,re
a={};b={}
for f,d in ((sys.argv[1],a),(sys.argv[2],b)):
    for l in open(f):
        p=l.split(None,2)
        if len(p)<3: continue
        d[p[0]]=(int(p[1]),p[2].strip())
agg=collections.Counter()
for tid,(t,name) in b.items():
    t0=a.get(tid,(0,name))[0]
    g=re.sub(r'\d+$','#',name)
    agg[g]+=t-t0
tot=sum(agg.values())
print("total ticks",tot)
for k,v in agg.most_common(20): print(f"{v:6d} {v*100/tot:5.1f}% {k}")
