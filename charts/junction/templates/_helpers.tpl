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
{{- $external := or .Values.redis.url .Values.redis.existingSecret.name }}
{{- if and .Values.redis.bundled.enabled $external }}
{{- fail "junction: redis.bundled.enabled=true and an external Redis (redis.url or redis.existingSecret.name) are both set; choose one" }}
{{- end }}
{{- if and .Values.redis.url .Values.redis.existingSecret.name }}
{{- fail "junction: set redis.url or redis.existingSecret.name, not both" }}
{{- end }}
{{- if not (or .Values.redis.bundled.enabled $external) }}
{{- fail "junction: no Redis configured: set redis.url (e.g. redis://redis.example:6379/0), redis.existingSecret.name, or redis.bundled.enabled=true for evaluation" }}
{{- end }}
{{- end }}

{{/* JUNCTION_REDIS_URL, which both configs reference as ${ENV:JUNCTION_REDIS_URL}. */}}
{{- define "junction.redis.env" -}}
{{- include "junction.redis.validate" . -}}
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
