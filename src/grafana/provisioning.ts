import { GRAFANA_FOLDER, toGeneratedYaml } from '../slo/index.js';

/** Where the provisioning config expects the dashboards inside the Grafana container or host. */
export const DEFAULT_PROVISIONED_PATH = '/var/lib/grafana/dashboards/slokit';

/**
 * Grafana's file-provisioning config for the generated dashboards: one provider loading every JSON
 * file of the directory into the SLOs folder. Edits in the UI are refused (the files are the source
 * of truth) and dashboards whose file is removed are removed from Grafana. `project` names the
 * project that writes it in the header.
 */
export function provisioningConfig(project: string, path: string = DEFAULT_PROVISIONED_PATH): string {
  return toGeneratedYaml(
    {
      apiVersion: 1,
      providers: [
        {
          name: 'slokit',
          orgId: 1,
          folder: GRAFANA_FOLDER,
          type: 'file',
          disableDeletion: false,
          allowUiUpdates: false,
          updateIntervalSeconds: 30,
          options: { path, foldersFromFilesStructure: false },
        },
      ],
    },
    project,
    [`slokit generate: copy or mount this directory's *.json at ${path}, and this file in /etc/grafana/provisioning/dashboards/`],
  );
}
