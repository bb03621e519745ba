/* derush-apply-dialog.h: act on decisions (trash, move, XMP sidecars) after a dry run. */
#pragma once

#include "derush-apply-job.h"
#include "derush-window.h"

G_BEGIN_DECLS

#define DERUSH_TYPE_APPLY_DIALOG (derush_apply_dialog_get_type())
G_DECLARE_FINAL_TYPE(DerushApplyDialog, derush_apply_dialog, DERUSH, APPLY_DIALOG, AdwWindow)

DerushApplyDialog *derush_apply_dialog_present(DerushWindow *window);
DerushApplyDialog *derush_apply_dialog_find(DerushWindow *window);
void derush_apply_dialog_set_choice(DerushApplyDialog *self, DerushApplyChoice choice,
                                    const char *dest, DerushXmpStyle style);
gboolean derush_apply_dialog_is_planning(DerushApplyDialog *self);
char *derush_apply_dialog_get_dry_run(DerushApplyDialog *self);
gboolean derush_apply_dialog_confirm(DerushApplyDialog *self);
gboolean derush_apply_dialog_screenshot(DerushApplyDialog *self, const char *path, int *width,
                                        int *height, GError **error);

/* The undo of the last apply (the toast's Undo button, win.undo-apply). */
void derush_apply_undo(DerushWindow *window);
gboolean derush_apply_is_busy(DerushWindow *window);

G_END_DECLS
