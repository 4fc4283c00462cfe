// Validates the rendered Kustomize overlays against the Kubernetes, KEDA and Prometheus Operator schemas
// (kubernetes-models), and Strimzi KafkaTopics against their CRD's required fields. Exit 1 on any finding.
import { execFileSync } from 'node:child_process';
import yaml from 'js-yaml';
import * as core from 'kubernetes-models/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as keda from '@kubernetes-models/keda/keda.sh/v1alpha1';
import * as monitoring from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';

const models = {
  'v1': core, 'apps/v1': apps, 'policy/v1': policy, 'networking.k8s.io/v1': networking,
  'keda.sh/v1alpha1': keda, 'monitoring.coreos.com/v1': monitoring,
};

function kafkaTopic(doc) {
  const problems = [];
  if (!doc.metadata?.labels?.['strimzi.io/cluster']) problems.push('metadata.labels["strimzi.io/cluster"] is required');
  if (typeof doc.spec !== 'object' || doc.spec === null) problems.push('spec is required');
  for (const field of ['partitions', 'replicas']) {
    const value = doc.spec?.[field];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) problems.push(`spec.${field} must be an integer >= 1`);
  }
  if (doc.spec?.topicName !== undefined && typeof doc.spec.topicName !== 'string') problems.push('spec.topicName must be a string');
  for (const [key, value] of Object.entries(doc.spec?.config ?? {})) {
    if (!['string', 'number', 'boolean'].includes(typeof value)) problems.push(`spec.config.${key} must be a scalar`);
  }
  if (problems.length) throw new Error(problems.join('; '));
}

let failures = 0;
for (const overlay of process.argv.slice(2)) {
  const rendered = execFileSync('kubectl', ['kustomize', overlay], { encoding: 'utf8' });
  const docs = yaml.loadAll(rendered).filter(Boolean);
  const kinds = [];
  for (const doc of docs) {
    const name = `${overlay}: ${doc.kind} ${doc.metadata?.name}`;
    try {
      if (doc.apiVersion === 'kafka.strimzi.io/v1beta2' && doc.kind === 'KafkaTopic') {
        kafkaTopic(doc);
      } else {
        const Model = models[doc.apiVersion]?.[doc.kind];
        if (!Model) throw new Error(`no schema known for ${doc.apiVersion} ${doc.kind}`);
        new Model(doc).validate();
      }
      kinds.push(doc.kind);
    } catch (e) {
      failures++;
      console.error(`INVALID ${name}: ${e.message}`);
    }
  }
  console.log(`${overlay}: ${kinds.length} of ${docs.length} resources valid (${[...new Set(kinds)].sort().join(', ')})`);
}
process.exit(failures ? 1 : 0);
