package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestInfoJSON checks the documented fields of info --json for an ISZ
// split set, a plain ISO and an encrypted image without its password.
// Renaming a field breaks scripts: this test lists them all.
func TestInfoJSON(t *testing.T) {
	iso, _ := fixtureISO(t)
	dir := t.TempDir()
	img := filepath.Join(dir, "img.isz")
	mustRun(t, "create", "--split", "400K", "-b", "64K", iso, img)
	enc := filepath.Join(dir, "enc.isz")
	mustRun(t, "create", "--password", "pw", iso, enc)

	decode := func(args ...string) map[string]any {
		t.Helper()
		var doc map[string]any
		out := mustRun(t, append([]string{"info", "--json"}, args...)...)
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("info --json %q: %v\n%s", args, err, out)
		}
		return doc
	}
	keys := func(m any) string {
		var ks []string
		for k := range m.(map[string]any) {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return strings.Join(ks, ",")
	}

	doc := decode(img)
	if got := keys(doc); got != "file_system,format,image,isz,size,udf,view,view_reason,volume" {
		t.Errorf("top-level fields %s", got)
	}
	if doc["format"] != "isz" || doc["file_system"] != "iso9660" || doc["image"] != img {
		t.Errorf("format %v, file_system %v, image %v", doc["format"], doc["file_system"], doc["image"])
	}
	iszDoc := doc["isz"].(map[string]any)
	if got := keys(iszDoc); got != "checksums,chunk_size,chunk_types,chunks,encryption,header_size,sector_size,sectors,segments,stored_bytes,version,volume_serial" {
		t.Errorf("isz fields %s", got)
	}
	if iszDoc["chunk_size"] != float64(64<<10) || iszDoc["encryption"] != "none" || len(iszDoc["segments"].([]any)) < 2 {
		t.Errorf("isz: %v", iszDoc)
	}
	if got := keys(iszDoc["segments"].([]any)[0]); got != "chunks,first_chunk,name,size" {
		t.Errorf("segment fields %s", got)
	}
	vol := doc["volume"].(map[string]any)
	if got := keys(vol); got != "application,block_size,blocks,bootable,created,joliet,modified,names,publisher,rock_ridge,system_id,udf_bridge,volume_id,zisofs" {
		t.Errorf("volume fields %s", got)
	}
	if vol["volume_id"] != "ISZ_FIXTURE" || vol["rock_ridge"] != true || vol["names"] != "rockridge" {
		t.Errorf("volume: %v", vol)
	}

	doc = decode(iso)
	if doc["format"] != "plain" || doc["isz"] != nil || doc["file_system"] != "iso9660" {
		t.Errorf("plain ISO: %v", doc)
	}
	doc = decode(enc)
	if doc["file_system"] != "encrypted" || doc["volume"] != nil || doc["isz"].(map[string]any)["encryption"] != "AES-256" {
		t.Errorf("encrypted image without password: %v", doc)
	}
}
