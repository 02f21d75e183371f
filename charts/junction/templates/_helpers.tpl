{{/* Names, labels and the values every template shares. */}}

{{- define "junction.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release-wide prefix; components append -operator, -redis, … (kept within 63 - 16 chars). */}}
{{- define "junction.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 47 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 47 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 47 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "junction.selectorLabels" -}}
app.kubernetes.io/name: {{ include "junction.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "junction.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "junction.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: junction
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Per component: (dict "ctx" $ "component" "proxy") */}}
{{- define "junction.componentSelectorLabels" -}}
{{ include "junction.selectorLabels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "junction.componentLabels" -}}
{{ include "junction.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "junction.proxy.serviceAccountName" -}}
{{- if .Values.proxy.serviceAccount.create }}
{{- default (printf "%s-proxy" (include "junction.fullname" .)) .Values.proxy.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.proxy.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "junction.operator.serviceAccountName" -}}
{{- if .Values.operator.serviceAccount.create }}
{{- default (printf "%s-operator" (include "junction.fullname" .)) .Values.operator.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.operator.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "junction.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "junction.cookieSecretName" -}}
{{- default (printf "%s-cookie" (include "junction.fullname" .)) .Values.cookies.existingSecret }}
{{- end }}

{{- define "junction.cookieSecretKey" -}}
{{- if .Values.cookies.existingSecret }}{{ .Values.cookies.existingSecretKey }}{{ else }}cookie-signing-secret{{ end }}
{{- end }}

{{- define "junction.redis.host" -}}
{{- printf "%s-redis.%s.svc" (include "junction.fullname" .) .Release.Namespace }}
{{- end }}

{{/* Fails the render with one clear message when the Redis settings do not name exactly one Redis. */}}
{{- define "junction.redis.validate" -}}
{{- $r := .Values.redis }}
{{- $external := or $r.url $r.existingSecret.name }}
{{- if and $r.url $r.existingSecret.name }}
{{- fail "junction: set redis.url or redis.existingSecret.name, not both" }}
{{- end }}
{{- $modes := list }}
{{- if $r.bundled.enabled }}{{ $modes = append $modes "redis.bundled.enabled=true" }}{{ end }}
{{- if $external }}{{ $modes = append $modes "an external Redis (redis.url or redis.existingSecret.name)" }}{{ end }}
{{- if $r.sentinel.masterName }}{{ $modes = append $modes "redis.sentinel" }}{{ end }}
{{- if $r.cluster.nodes }}{{ $modes = append $modes "redis.cluster" }}{{ end }}
{{- if gt (len $modes) 1 }}
{{- fail (printf "junction: %s are set; choose one" (join " and " $modes)) }}
{{- end }}
{{- if eq (len $modes) 0 }}
{{- fail "junction: no Redis configured: set redis.url (e.g. redis://redis.example:6379/0), redis.existingSecret.name, redis.sentinel, redis.cluster, or redis.bundled.enabled=true for evaluation" }}
{{- end }}
{{- if and $r.sentinel.masterName (not $r.sentinel.nodes) }}
{{- fail "junction: redis.sentinel.masterName is set but redis.sentinel.nodes is empty: list the sentinels" }}
{{- end }}
{{- if and (or $r.sentinel.masterName $r.cluster.nodes) (not $r.auth.existingSecret) $r.auth.sentinelPasswordKey }}
{{- fail "junction: redis.auth.sentinelPasswordKey needs redis.auth.existingSecret (the Secret holding it)" }}
{{- end }}
{{- end }}

{{/* True (non-empty) in Sentinel or Cluster mode. */}}
{{- define "junction.redis.ha" -}}
{{- if or .Values.redis.sentinel.masterName .Values.redis.cluster.nodes }}true{{ end }}
{{- end }}

{{/* The `redis` section both configs share; secrets only as ${ENV:…} references. */}}
{{- define "junction.redis.config" -}}
{{- $r := .Values.redis -}}
redis:
{{- if $r.sentinel.masterName }}
  sentinel:
    masterName: {{ $r.sentinel.masterName | quote }}
    nodes:
    {{- range $r.sentinel.nodes }}
      - { host: {{ .host | quote }}, port: {{ .port | default 26379 }} }
    {{- end }}
    {{- if $r.auth.sentinelPasswordKey }}
    password: '${ENV:JUNCTION_REDIS_SENTINEL_PASSWORD}'
    {{- end }}
{{- else if $r.cluster.nodes }}
  cluster:
    nodes:
    {{- range $r.cluster.nodes }}
      - { host: {{ .host | quote }}, port: {{ .port | default 6379 }} }
    {{- end }}
{{- else }}
  url: '${ENV:JUNCTION_REDIS_URL}'
{{- end }}
{{- if include "junction.redis.ha" . }}
{{- with $r.auth.username }}
  username: {{ . | quote }}
{{- end }}
{{- if $r.auth.existingSecret }}
  password: '${ENV:JUNCTION_REDIS_PASSWORD}'
{{- end }}
{{- if $r.tls }}
  tls: true
{{- end }}
{{- end }}
  keyPrefix: {{ $r.keyPrefix | quote }}
{{- end }}

{{/* JUNCTION_REDIS_URL (URL modes), or the passwords of Sentinel/Cluster mode, which the configs reference. */}}
{{- define "junction.redis.env" -}}
{{- include "junction.redis.validate" . -}}
{{- if include "junction.redis.ha" . -}}
{{- with .Values.redis.auth -}}
{{- if .existingSecret -}}
- name: JUNCTION_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .passwordKey }}
{{- if .sentinelPasswordKey }}
- name: JUNCTION_REDIS_SENTINEL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .sentinelPasswordKey }}
{{- end }}
{{- end }}
{{- end }}
{{- else -}}
- name: JUNCTION_REDIS_URL
{{- if .Values.redis.bundled.enabled }}
  value: {{ printf "redis://%s:6379/0" (include "junction.redis.host" .) | quote }}
{{- else if .Values.redis.existingSecret.name }}
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.existingSecret.name }}
      key: {{ .Values.redis.existingSecret.key }}
{{- else }}
  value: {{ .Values.redis.url | quote }}
{{- end }}
{{- end }}
{{- end }}

{{- define "junction.proxy.terminationGracePeriodSeconds" -}}
{{- $floor := add .Values.proxy.preStopSleepSeconds .Values.proxy.drainTimeoutSeconds }}
{{- if kindIs "invalid" .Values.proxy.terminationGracePeriodSeconds }}
{{- add $floor 15 }}
{{- else if le (int .Values.proxy.terminationGracePeriodSeconds) (int $floor) }}
{{- fail (printf "junction: proxy.terminationGracePeriodSeconds (%v) must be larger than proxy.preStopSleepSeconds + proxy.drainTimeoutSeconds (%v), or in-flight queries are killed before they drain" .Values.proxy.terminationGracePeriodSeconds $floor) }}
{{- else }}
{{- .Values.proxy.terminationGracePeriodSeconds }}
{{- end }}
{{- end }}

{{/* Pod and container hardening shared by every pod of the chart. */}}
{{- define "junction.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ . }}
runAsGroup: {{ . }}
fsGroup: {{ . }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "junction.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: [ALL]
{{- end }}

{{- define "junction.adminTokensSecretName" -}}
{{- default (printf "%s-admin-tokens" (include "junction.fullname" .)) .Values.adminAuth.existingSecret }}
{{- end }}

{{- define "junction.adminTokensSecretKey" -}}
{{- if .Values.adminAuth.existingSecret }}{{ .Values.adminAuth.existingSecretKey }}{{ else }}tokens{{ end }}
{{- end }}
