{{/* The chart's name. */}}
{{- define "flarewarden.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name, used for every object. */}}
{{- define "flarewarden.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "flarewarden.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "flarewarden.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels that select the Pods. */}}
{{- define "flarewarden.selectorLabels" -}}
app.kubernetes.io/name: {{ include "flarewarden.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The ServiceAccount's name. */}}
{{- define "flarewarden.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "flarewarden.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding the Cloudflare token. */}}
{{- define "flarewarden.tokenSecretName" -}}
{{- default (printf "%s-cloudflare" (include "flarewarden.fullname" .)) .Values.tokenSecret.existingSecret }}
{{- end }}

{{/* The image's tag: image.tag, else the chart's appVersion. */}}
{{- define "flarewarden.imageTag" -}}
{{- .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* image.pullPolicy, else Always for the tag latest (nodes would keep a stale one), IfNotPresent otherwise. */}}
{{- define "flarewarden.imagePullPolicy" -}}
{{- if .Values.image.pullPolicy }}
{{- .Values.image.pullPolicy }}
{{- else if eq (include "flarewarden.imageTag" .) "latest" }}
{{- "Always" }}
{{- else }}
{{- "IfNotPresent" }}
{{- end }}
{{- end }}

{{/* The Lease the replicas campaign for. */}}
{{- define "flarewarden.leaseName" -}}
{{- default (include "flarewarden.fullname" .) .Values.leaderElection.leaseName }}
{{- end }}

{{/* The config file: values.configYaml, parsed, with the paths the chart owns set over it. */}}
{{- define "flarewarden.config" -}}
{{- if .Values.config }}
{{- fail "the value config (a map, which Helm deep-merged with the chart's default config) is gone: give the whole flarewarden config file as the string configYaml instead (configYaml: | in your values file, or --set-file configYaml=FILE)" }}
{{- end }}
{{- if not (kindIs "string" .Values.configYaml) }}
{{- fail "configYaml must be a string holding the flarewarden config file as YAML (configYaml: |, then the config indented below it)" }}
{{- end }}
{{- $user := fromYaml (required "configYaml is required: the flarewarden config file as YAML" .Values.configYaml) }}
{{- if hasKey $user "Error" }}
{{- fail (printf "configYaml is not a YAML map of flarewarden config keys: %s" (get $user "Error")) }}
{{- end }}
{{- $server := dict "listen" (printf ":%d" (int .Values.metricsPort)) "token_file" "/run/secrets/cloudflare/reconcile-token" "require_token" true }}
{{- $owned := dict "cloudflare" (dict "api_token_file" "/run/secrets/cloudflare/token") "server" $server }}
{{- toYaml (mustMergeOverwrite $user $owned) }}
{{- end }}
