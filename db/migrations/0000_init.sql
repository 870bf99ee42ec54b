CREATE TABLE "package_registrations" (
	"lower_id" text PRIMARY KEY NOT NULL,
	"id" text NOT NULL,
	"created" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "package_versions" (
	"lower_id" text NOT NULL,
	"version_key" text NOT NULL,
	"version" text NOT NULL,
	"full_version" text NOT NULL,
	"original_version" text NOT NULL,
	"module_version" text,
	"major" integer NOT NULL,
	"minor" integer NOT NULL,
	"patch" integer NOT NULL,
	"revision" integer NOT NULL,
	"is_prerelease" boolean NOT NULL,
	"is_semver2" boolean NOT NULL,
	"listed" boolean DEFAULT true NOT NULL,
	"created" timestamp with time zone NOT NULL,
	"last_edited" timestamp with time zone NOT NULL,
	"authors" text NOT NULL,
	"owners" text,
	"title" text,
	"summary" text,
	"description" text NOT NULL,
	"release_notes" text,
	"copyright" text,
	"language" text,
	"tags" jsonb NOT NULL,
	"project_url" text,
	"icon_url" text,
	"has_icon" boolean NOT NULL,
	"license_url" text,
	"license_expression" text,
	"has_readme" boolean NOT NULL,
	"require_license_acceptance" boolean NOT NULL,
	"development_dependency" boolean NOT NULL,
	"min_client_version" text,
	"package_types" jsonb NOT NULL,
	"dependency_groups" jsonb NOT NULL,
	"is_script" boolean NOT NULL,
	"package_hash" text NOT NULL,
	"package_size" bigint NOT NULL,
	"downloads" bigint DEFAULT 0 NOT NULL,
	"blob_key" text NOT NULL,
	"search_text" text NOT NULL,
	CONSTRAINT "package_versions_lower_id_version_key_pk" PRIMARY KEY("lower_id","version_key")
);
--> statement-breakpoint
ALTER TABLE "package_versions" ADD CONSTRAINT "package_versions_lower_id_package_registrations_lower_id_fk" FOREIGN KEY ("lower_id") REFERENCES "public"."package_registrations"("lower_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "package_versions_listed_idx" ON "package_versions" USING btree ("lower_id") WHERE "package_versions"."listed";