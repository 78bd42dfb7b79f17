/**
 * Manifests from the Kubernetes documentation (kubernetes.io/docs), converted by hand from
 * the docs' YAML to JSON, field for field; YAML comments dropped, block scalars kept with
 * their trailing spaces as the docs have them.
 */

/** concepts/workloads/controllers/deployment: controllers/nginx-deployment.yaml. */
export const NGINX_DEPLOYMENT = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "nginx-deployment", labels: { app: "nginx" } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: "nginx" } },
    template: {
      metadata: { labels: { app: "nginx" } },
      spec: { containers: [{ name: "nginx", image: "nginx:1.14.2", ports: [{ containerPort: 80 }] }] },
    },
  },
};

/** concepts/workloads/pods: pods/simple-pod.yaml. */
export const SIMPLE_POD = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "nginx" },
  spec: { containers: [{ name: "nginx", image: "nginx:1.14.2", ports: [{ containerPort: 80 }] }] },
};

/** concepts/configuration/configmap: the game-demo ConfigMap. */
export const GAME_DEMO_CONFIGMAP = {
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "game-demo" },
  data: {
    player_initial_lives: "3",
    ui_properties_file_name: "user-interface.properties",
    "game.properties": "enemy.types=aliens,monsters\nplayer.maximum-lives=5    \n",
    "user-interface.properties": "color.good=purple\ncolor.bad=yellow\nallow.textmode=true    \n",
  },
};

/** concepts/services-networking/service: my-service. */
export const MY_SERVICE = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "my-service" },
  spec: {
    selector: { "app.kubernetes.io/name": "MyApp" },
    ports: [{ protocol: "TCP", port: 80, targetPort: 9376 }],
  },
};

/** concepts/architecture/leases: the kube-apiserver identity Lease (`kubectl get lease ... -o yaml`). */
export const APISERVER_LEASE = {
  apiVersion: "coordination.k8s.io/v1",
  kind: "Lease",
  metadata: {
    creationTimestamp: "2023-07-02T13:16:48Z",
    labels: { "apiserver.kubernetes.io/identity": "kube-apiserver", "kubernetes.io/hostname": "master-1" },
    name: "apiserver-07a5ea9b9b072c4a5f3d1c3702",
    namespace: "kube-system",
    resourceVersion: "334899",
    uid: "90870ab5-1ba9-4523-b215-e4d4e662acb1",
  },
  spec: {
    holderIdentity: "apiserver-07a5ea9b9b072c4a5f3d1c3702_0c8914f7-0f35-440e-8676-7844977d3a05",
    leaseDurationSeconds: 3600,
    renewTime: "2023-07-04T21:58:48.065888Z",
  },
};
