//! The guided actions' Kubernetes operations: deployments (scale through the scale
//! subresource, annotations, container-0 limits), pods and their health through the API
//! server's pod proxy, pod metrics, HPAs replaced whole. Every write honours
//! `WriteOpts.expect_version` (a resourceVersion precondition: 409 Conflict when someone
//! changed the object) and `WriteOpts.dry_run` (`dryRun=All`: validated, nothing stored).

use super::errors;
use crate::config::sources::KubeConfig;
use crate::live::Clock;
use crate::model::state::{Usage, Workload};
use crate::platform::{Deployment, ErrorKind, Hpa, PResult, PlatformError, Pod, WriteOpts};
use crate::sources::kube::metrics;
use crate::sources::kube::{fold, slim::SlimPod};
use k8s_openapi::api::apps::v1::Deployment as KDeployment;
use k8s_openapi::api::autoscaling::v1::Scale;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::Pod as KPod;
use kube::Api;
use kube::api::{ApiResource, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

pub struct KubeOps {
    pub client: kube::Client,
    pub namespace: String,
    pub cfg: KubeConfig,
    pub clock: Clock,
}

fn post(opts: &WriteOpts) -> PostParams {
    PostParams { dry_run: opts.dry_run, ..PostParams::default() }
}

fn patch_params(opts: &WriteOpts) -> PatchParams {
    PatchParams { dry_run: opts.dry_run, ..PatchParams::default() }
}

fn hpa_resource() -> ApiResource {
    ApiResource::erase::<HorizontalPodAutoscaler>(&())
}

impl KubeOps {
    fn api<K>(&self) -> Api<K>
    where
        K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
        K::DynamicType: Default,
    {
        Api::namespaced(self.client.clone(), &self.namespace)
    }

    pub fn deployment_name(&self, w: Workload) -> &str {
        self.cfg.deployment(w)
    }

    fn hpa_name(&self, w: Workload) -> &str {
        self.cfg.hpa(w)
    }

    fn wrap(d: &KDeployment) -> Deployment {
        Deployment { state: fold::deployment(d).0, resource_version: d.metadata.resource_version.clone() }
    }

    async fn get_raw(&self, w: Workload) -> PResult<KDeployment> {
        let name = self.deployment_name(w);
        self.api::<KDeployment>().get(name).await.map_err(|e| errors::kube(&format!("deployment {name}"), &e))
    }

    pub async fn deployment(&self, w: Workload) -> PResult<Deployment> {
        Ok(Self::wrap(&self.get_raw(w).await?))
    }

    /// Through the scale subresource: a replace carrying the expected resourceVersion, or a
    /// merge patch when there is none.
    pub async fn scale(&self, w: Workload, replicas: u32, opts: &WriteOpts) -> PResult<Deployment> {
        let name = self.deployment_name(w).to_string();
        let api = self.api::<KDeployment>();
        let ctx = format!("scale deployment {name}");
        let n = i32::try_from(replicas)
            .map_err(|_| PlatformError::new(ErrorKind::Invalid, format!("{ctx}: {replicas} replicas")))?;
        let answer: Scale = match &opts.expect_version {
            Some(v) => {
                let scale: Scale = serde_json::from_value(json!({"apiVersion": "autoscaling/v1", "kind": "Scale",
                    "metadata": {"name": name, "namespace": self.namespace, "resourceVersion": v},
                    "spec": {"replicas": n}}))
                .map_err(|e| PlatformError::new(ErrorKind::Other, format!("{ctx}: {e}")))?;
                api.replace_scale(&name, &post(opts), &scale).await
            }
            None => api.patch_scale(&name, &patch_params(opts), &Patch::Merge(json!({"spec": {"replicas": n}}))).await,
        }
        .map_err(|e| errors::kube(&ctx, &e))?;
        let mut d = self.deployment(w).await?;
        if opts.dry_run {
            d.state.desired =
                answer.spec.and_then(|s| s.replicas).and_then(|r| u32::try_from(r).ok()).unwrap_or(replicas);
        }
        Ok(d)
    }

    pub async fn annotate(&self, w: Workload, key: &str, value: Option<&str>, opts: &WriteOpts) -> PResult<Deployment> {
        let name = self.deployment_name(w);
        let mut meta = json!({"annotations": {key: value}});
        if let Some(v) = &opts.expect_version {
            meta["resourceVersion"] = json!(v);
        }
        let d = self
            .api::<KDeployment>()
            .patch(name, &patch_params(opts), &Patch::Merge(json!({"metadata": meta})))
            .await
            .map_err(|e| errors::kube(&format!("annotate deployment {name}"), &e))?;
        Ok(Self::wrap(&d))
    }

    /// A JSON patch of container 0's limits (what the runbook does), creating `resources` or
    /// `limits` when absent.
    pub async fn set_limits(&self, w: Workload, cpu: &str, memory: &str, opts: &WriteOpts) -> PResult<Deployment> {
        let name = self.deployment_name(w);
        let current = self.get_raw(w).await?;
        let c0 = current
            .spec
            .template
            .spec
            .as_ref()
            .and_then(|s| s.containers.first())
            .ok_or_else(|| PlatformError::new(ErrorKind::Invalid, format!("deployment {name} has no container")))?;
        let base = "/spec/template/spec/containers/0/resources";
        let limits = json!({"cpu": cpu, "memory": memory});
        let mut ops = Vec::new();
        if let Some(v) = &opts.expect_version {
            ops.push(json!({"op": "test", "path": "/metadata/resourceVersion", "value": v}));
        }
        match c0.resources.as_ref() {
            None => ops.push(json!({"op": "add", "path": base, "value": {"limits": limits}})),
            Some(r) if r.limits.is_none() => {
                ops.push(json!({"op": "add", "path": format!("{base}/limits"), "value": limits}))
            }
            Some(_) => {
                ops.push(json!({"op": "add", "path": format!("{base}/limits/cpu"), "value": cpu}));
                ops.push(json!({"op": "add", "path": format!("{base}/limits/memory"), "value": memory}));
            }
        }
        let patch: json_patch::Patch = serde_json::from_value(Value::Array(ops))
            .map_err(|e| PlatformError::new(ErrorKind::Other, format!("limits patch: {e}")))?;
        let d = self.api::<KDeployment>().patch(name, &patch_params(opts), &Patch::Json::<()>(patch)).await.map_err(
            |e| match &e {
                // A failed "test" op: the object changed since it was read.
                kube::Error::Api(s) if s.code == 422 && opts.expect_version.is_some() && s.message.contains("test") => {
                    PlatformError::new(
                        ErrorKind::Conflict,
                        format!("set limits of {name}: the deployment changed meanwhile"),
                    )
                }
                _ => errors::kube(&format!("set limits of deployment {name}"), &e),
            },
        )?;
        Ok(Self::wrap(&d))
    }

    async fn selector(&self, w: Workload) -> PResult<String> {
        let d = self.get_raw(w).await?;
        Ok(fold::selector_string(&d.spec.selector))
    }

    pub async fn pods(&self, w: Workload) -> PResult<Vec<Pod>> {
        let selector = self.selector(w).await?;
        let list = self
            .api::<KPod>()
            .list(&ListParams::default().labels(&selector))
            .await
            .map_err(|e| errors::kube("list pods", &e))?;
        Ok(list
            .items
            .into_iter()
            .map(|p| {
                let limits = p
                    .spec
                    .as_ref()
                    .and_then(|s| s.containers.first())
                    .and_then(|c| c.resources.as_ref())
                    .and_then(|r| r.limits.clone());
                let status = p.status.clone().unwrap_or_default();
                Pod {
                    name: p.metadata.name.clone().unwrap_or_default(),
                    ready: status.conditions.iter().flatten().any(|c| c.type_ == "Ready" && c.status == "True"),
                    phase: status.phase.unwrap_or_else(|| "Pending".into()),
                    terminating: p.metadata.deletion_timestamp.is_some(),
                    cpu_limit: limits.as_ref().and_then(|l| l.get("cpu")).map(|q| q.0.clone()),
                    memory_limit: limits.as_ref().and_then(|l| l.get("memory")).map(|q| q.0.clone()),
                }
            })
            .collect())
    }

    /// GET pods/NAME:PORT/proxy/PATH: the body on a 2xx answer.
    pub async fn pod_health(&self, pod: &str) -> PResult<String> {
        let path = self.cfg.health_path.trim_start_matches('/');
        let url = format!("/api/v1/namespaces/{}/pods/{pod}:{}/proxy/{path}", self.namespace, self.cfg.health_port);
        let req = http::Request::get(&url)
            .body(Vec::new())
            .map_err(|e| PlatformError::new(ErrorKind::Invalid, e.to_string()))?;
        self.client.request_text(req).await.map_err(|e| match &e {
            kube::Error::Api(s) if s.code >= 500 || s.code == 404 => PlatformError::new(
                if s.code == 404 { ErrorKind::NotFound } else { ErrorKind::Unavailable },
                format!("pod {pod} health answered {}: {}", s.code, s.message.trim()),
            ),
            _ => errors::kube(&format!("pod {pod} health"), &e),
        })
    }

    pub async fn usage(&self, w: Workload) -> PResult<Option<Usage>> {
        let selector = self.selector(w).await?;
        let pods = self
            .api::<SlimPod>()
            .list(&ListParams::default().labels(&selector))
            .await
            .map_err(|e| errors::kube("list pods", &e))?;
        let records: HashMap<Box<str>, _> =
            pods.items.into_iter().filter_map(|p| Some((p.metadata.name?.into_boxed_str(), p.record))).collect();
        let found = metrics::read(&self.client, &self.namespace, &selector).await.map_err(errors::from_failure)?;
        Ok(found.and_then(|m| metrics::usage(&m, &records)))
    }

    fn hpa_of(&self, obj: &DynamicObject) -> PResult<Hpa> {
        let raw = serde_json::to_value(obj).map_err(|e| PlatformError::new(ErrorKind::Other, e.to_string()))?;
        let typed: HorizontalPodAutoscaler =
            serde_json::from_value(raw).map_err(|e| PlatformError::new(ErrorKind::Other, format!("HPA: {e}")))?;
        Ok(Hpa {
            state: fold::hpa(&typed, &self.clock),
            spec: obj.data.get("spec").cloned().unwrap_or(Value::Null),
            annotations: obj.metadata.annotations.clone().unwrap_or_default(),
            resource_version: obj.metadata.resource_version.clone(),
        })
    }

    pub async fn hpa(&self, w: Workload) -> PResult<Option<Hpa>> {
        let name = self.hpa_name(w);
        let api: Api<DynamicObject> = Api::namespaced_with(self.client.clone(), &self.namespace, &hpa_resource());
        match api.get_opt(name).await.map_err(|e| errors::kube(&format!("hpa {name}"), &e))? {
            Some(obj) => self.hpa_of(&obj).map(Some),
            None => Ok(None),
        }
    }

    /// PUT the HPA with exactly this spec and these annotations (labels kept), at the
    /// expected resourceVersion, else at the one just read.
    pub async fn replace_hpa(
        &self,
        w: Workload,
        spec: &Value,
        annotations: &BTreeMap<String, String>,
        opts: &WriteOpts,
    ) -> PResult<Hpa> {
        let name = self.hpa_name(w);
        let ctx = format!("replace hpa {name}");
        let api: Api<DynamicObject> = Api::namespaced_with(self.client.clone(), &self.namespace, &hpa_resource());
        let current = api.get(name).await.map_err(|e| errors::kube(&ctx, &e))?;
        let version = opts.expect_version.clone().or(current.metadata.resource_version.clone());
        let obj = json!({
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": name, "namespace": self.namespace, "labels": current.metadata.labels,
                         "annotations": annotations, "resourceVersion": version},
            "spec": spec,
        });
        let obj: DynamicObject =
            serde_json::from_value(obj).map_err(|e| PlatformError::new(ErrorKind::Invalid, format!("{ctx}: {e}")))?;
        let stored = api.replace(name, &post(opts), &obj).await.map_err(|e| errors::kube(&ctx, &e))?;
        self.hpa_of(&stored)
    }
}
