// Package direct answers three RPCs of a provider's resources without
// the framework's walks of their values, where that changes nothing in
// the answer: the plan of an unchanged resource (Paths.Plan, direct.go),
// the refresh of a resource whose Read is ValuesReader (Paths.Read,
// read.go) and the upgrade of a state of the current schema version
// (Paths.Upgrade). The provider's protocol server
// (internal/provider/server.go) asks it first and the framework when it
// declines. It runs the resource's own ModifyPlan and Read, as the
// framework does. It depends on the framework alone: the resources
// (internal/portgrouppolicy, internal/hostsettings) implement its
// ValuesReader (readvalues.go), and a depguard rule of .golangci.yml
// keeps the provider's other packages out of its imports.
//
// # What it saves
//
// make bench (internal/e2e: Terraform 1.5.7 against the simulator, 20 ms
// per SOAP call) plans carp_portgroup_policy resources whose configuration
// did not change. Provider CPU (user + system of its processes, the
// median of three runs) with the direct paths and with CARP_DIRECT=0, in
// six runs with and five without on the shared 2-core machine; the
// saving is the median of the five pairs run one after the other:
//
//	resources  command              direct       CARP_DIRECT=0  saved
//	100        plan                 0.32-0.45 s  0.65-0.89 s    0.45 s (0.20-0.51)
//	100        plan -refresh=false  0.26-0.38 s  0.55-0.62 s    0.25 s (0.17-0.36)
//	1,000      plan                 2.81-3.35 s  5.22-7.25 s    3.9 s (2.4-4.1)
//	1,000      plan -refresh=false  1.51-2.20 s  3.55-4.60 s    2.2 s (2.0-3.0)
//
// The framework's answers cost 1.5 to 2.9 times the provider's CPU of the
// direct ones: about 4 ms per unchanged resource and plan, 2 ms without
// refresh. SOAP calls are the same either way (4 for plan -refresh=false;
// 10-14 and 82-99 for the plans of 100 and 1,000, the batching of
// concurrent reads varying). Wall time gains less, the CLI's own CPU
// (9-13 s for 1,000) weighing on the same 2 cores: 1,000-policy plan
// 8.4-9.8 s with, 8.8-13.2 s without (one run with at 17.2 s); plan
// -refresh=false 5.9-8.3 s (10.4 s once) against 7.2-12.8 s; at 100,
// 0.6-1.4 s either way. The machine was busy with other work (the CLI's
// CPU for the 1,000-policy plan was 6.9 s on a quiet one, README), so the
// absolute figures run high; main at 6e302b2, before the fence, measured
// alike in the same hours (1,000-policy plan 2.45-3.40 s, plan
// -refresh=false 1.46-2.27 s, three runs).
//
// # Turning it off
//
// CARP_DIRECT=0 (or false) in the provider's environment hands every
// request to the framework: the answers are the framework's own, at the
// cost above. The provider reads it once, when Terraform starts it
// (internal/provider/server.go). A plan or a refresh that is right with
// CARP_DIRECT=0 and wrong without is a fault of this package.
// TestAccDirect_off (internal/provider) checks that nothing is answered
// here then.
//
// # The plan of an unchanged resource
//
// Plan takes a request whose proposed new state is its prior state, byte
// for byte: every resource of a plan whose configuration did not change,
// refreshed or not. For it terraform-plugin-framework v1.19.0
// (internal/fwserver/server_planresourcechange.go) decodes the config,
// the prior state and the proposed new state (each walked once more for
// list and set blocks), applies the schema defaults where the config is
// null (a walk of the whole value, looking each attribute up in the
// schema), nulls write-only attributes (another walk), runs every
// attribute's plan modifiers (a lookup and a whole-value copy per
// attribute), calls ModifyPlan, and encodes the plan. The steps before
// ModifyPlan change nothing when the proposed new state is the prior
// state and:
//   - no default applies: each attribute with a default is set in the
//     config, or its prior value is the default (a removed attribute
//     whose prior value differs goes to the framework, which plans the
//     default);
//   - the schema has no write-only attribute, no custom type, no list or
//     set block, and only plan modifiers that do nothing when the planned
//     value equals the state's (the framework's RequiresReplace* and
//     UseStateForUnknown family): checked once per resource type
//     (plannable, schema.go);
//   - there is no private state (ModifyPlan is given none) and the
//     provider has no provider_meta schema.
//
// Anything else goes to the framework: a request that does not qualify,
// a type whose schema does not, a provider not configured yet, a
// ModifyPlan that reports an error, asks for a replacement, defers or
// changes the identity. Every acceptance test answers each request this
// path takes both ways and compares the answers (CrossCheck,
// acctest.Env.Direct); TestAccDirect_removedDefault is the case of a
// default the framework must plan.
//
// # When terraform-plugin-framework changes
//
// The conditions above, and those of Paths.Read and Paths.Upgrade, were
// verified against terraform-plugin-framework v1.19.0. TestFrameworkVersion
// fails when the module graph selects another version. Before changing
// the version it expects (fence_test.go) and the one named here, read the
// new version's files below (paths inside its module) and re-verify:
//   - PlanResourceChange: internal/proto6server/server_planresourcechange.go
//     and internal/fwserver/server_planresourcechange.go. Paths.Plan skips
//     every step before ModifyPlan: Configure (it configures the resource
//     itself), the provider's deferral, Data.TransformDefaults
//     (internal/fwschemadata/data_default.go), NullifyWriteOnlyAttributes
//     (internal/fwserver/write_only_nullification.go),
//     MarkComputedNilsAsUnknown and SchemaModifyPlan
//     (internal/fwserver/schema_plan_modification.go). Each must still
//     change nothing for a type plannable accepts when the proposed new
//     state is the prior state, and no step may have been added before
//     ModifyPlan. The plan modifiers of noOpWhenEqual
//     (resource/schema/*planmodifier) must still do nothing when the
//     planned value equals the state's. After ModifyPlan, the identity
//     checks, NormaliseRequiresReplace and the destroy check must still be
//     those Plan declines on.
//   - ReadResource: internal/proto6server/server_readresource.go and
//     internal/fwserver/server_readresource.go. Paths.Read does what the
//     framework does around Read (the provider's deferral, and a private
//     state holding the framework's keys, such as the import key, go to
//     the framework; the identity checks are checkReadIdentity's) and
//     skips SchemaSemanticEquality
//     (internal/fwserver/schema_semantic_equality.go) and
//     NullifyWriteOnlyAttributes, which change nothing for a type without
//     custom types and write-only attributes. The private state's format,
//     keys and error texts are internal/privatestate/data.go's
//     (privateData, read.go).
//   - UpgradeResourceState: internal/fwserver/server_upgraderesourcestate.go,
//     the passthrough of a state of the current schema version
//     (Paths.Upgrade).
//   - The conversions copied: internal/toproto6/diagnostics.go
//     (protoDiagnostics), internal/totftypes/attribute_path.go and
//     attribute_path_step.go (attributePath), internal/toproto6/dynamic_value.go
//     (encodeValue).
//
// Then run make test: every acceptance test compares each direct answer
// with the framework's.
package direct
