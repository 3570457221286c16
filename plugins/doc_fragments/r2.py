# -*- coding: utf-8 -*-
# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Connection options of the R2 modules.
    DOCUMENTATION = r"""
options:
  account_id:
    description:
      - Cloudflare account id (32 hex digits); the endpoint is then C(https://<account_id>.r2.cloudflarestorage.com).
      - Read from E(R2_ACCOUNT_ID) or E(CLOUDFLARE_ACCOUNT_ID) when not given.
    type: str
  endpoint_url:
    description:
      - S3 endpoint, instead of deriving it from O(account_id) (a jurisdiction endpoint, or an S3 server in tests).
      - Read from E(R2_ENDPOINT_URL), E(AWS_ENDPOINT_URL_S3) or E(AWS_ENDPOINT_URL) when not given.
    type: str
  access_key_id:
    description: R2 API token's access key id; read from E(R2_ACCESS_KEY_ID) or E(AWS_ACCESS_KEY_ID) when not given.
    type: str
  secret_access_key:
    description: R2 API token's secret; read from E(R2_SECRET_ACCESS_KEY) or E(AWS_SECRET_ACCESS_KEY). Never logged.
    type: str
  region:
    description: Signing region; R2 uses V(auto).
    type: str
    default: auto
  ca_bundle:
    description: CA bundle to verify the endpoint with, instead of the system's.
    type: path
  timeout:
    description: Seconds to wait to connect and for each answer.
    type: int
    default: 60
requirements:
  - boto3 on the host that runs the module (Debian's C(python3-boto3) will do)
notes:
  - Request checksums are sent only when an operation requires them (boto3's V(when_required)); R2 does not
    support every checksum boto3 sends by default.
  - R2 has no ACLs and no object tagging; the modules send neither.
"""
