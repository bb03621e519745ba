/* derush-replay-ux.c: the replay's commands for menus, focus and badges.
 *
 * Part of `derush-gtk --replay` (derush-replay.c lists every command):
 *
 *   menu-open                open the main menu (as a click on its button)
 *   menu-screenshot FILE.png render the open menu (a popover: a surface of
 *                            its own, which the window's screenshot leaves out)
 *   menu-state               print "menu-item ACTION checked 0|1" for each
 *                            toggle of the menu, as its check mark shows it
 *   menu-close               close the main menu
 *   focus-header             put the keyboard focus on the sort dropdown, as
 *                            a mouse pick in it leaves it
 *   press KEY                a bare key pressed where the focus is ("Left"),
 *                            through the window's own key routing
 *   print-focus              print "focus grid|other"
 *   print-histogram          print the viewer's histogram (H): "histogram
 *                            pixels N blown F crushed F" (fractions), or
 *                            "histogram none"
 *   cull-groups-respond R    answer the "Keep the Best of Every Group?" dialog
 *                            (win.cull-groups) with R: cull or cancel
 *   print-page               print "page NAME": the page the window shows
 *                            (empty, message, grid, viewer, compare)
 *   print-compare            print the compare view: "compare members N panes
 *                            M focused NAME", then "compare-pane I NAME|QUALITY"
 *                            (sharpness and warnings as the pane shows them)
 *   click-compare-strip NAME click NAME in the compare view's strip
 *   print-cell-texts N [M]   print what the grid shows on the photos at
 *                            positions N to M: "cell N|NAME|group ID|best 0|1|
 *                            relation best|exact|edited|burst|scene|badge
 *                            TEXT|header TEXT|warning TEXT|sharpness TEXT",
 *                            "-" where there is none, group 0 when none
 *   select-slot N            select the grid's slot N (a photo or a spacer)
 *                            as the grid's own keys (Page Down) do
 *   print-selection          print "selection photos N spacers M": the
 *                            grid's selected slots
 *   print-layout             print what the grid lays out: "layout columns
 *                            C items N", then "slot POS NAME" for each
 *                            photo and "slot POS -" for each spacer
 *   print-quality            print the side panel's quality row for the
 *                            current photo: "quality TEXT" (its lines
 *                            joined by " / "), "quality -" when hidden
 */
#include "derush-replay-ux.h"
#include "derush-photo-model.h"
#include "derush-photo-text.h"
#include "derush-screenshot.h"
#include "derush-compare.h"
#include "derush-viewer.h"
#include "derush-side-panel.h"

static const char *const commands[] = {"menu-open",           "menu-screenshot",  "menu-state",
                                       "menu-close",          "focus-header",     "press",
                                       "print-focus",         "print-cell-texts", "print-compare",
                                       "click-compare-strip", "print-page",       "print-histogram",
                                       "cull-groups-respond", "print-layout",     "select-slot",
                                       "print-selection",     "print-quality",    NULL};

/** derush_replay_ux_handles: TRUE when @cmd is one of this file's commands. */
gboolean
derush_replay_ux_handles(const char *cmd)
{
  return g_strv_contains(commands, cmd);
}

/* The header bar's menu button: the only GtkMenuButton with a menu model. */
static GtkMenuButton *
find_menu_button(GtkWidget *widget)
{
  if (GTK_IS_MENU_BUTTON(widget) && gtk_menu_button_get_menu_model(GTK_MENU_BUTTON(widget)))
    return GTK_MENU_BUTTON(widget);
  for (GtkWidget *child = gtk_widget_get_first_child(widget); child;
       child = gtk_widget_get_next_sibling(child)) {
    GtkMenuButton *found = find_menu_button(child);
    if (found)
      return found;
  }
  return NULL;
}

/* The state each toggle of the menu shows: the menu's tracker reads it
 * through the window's action muxer, which is what this asks too. */
static void
print_menu_state(DerushWindow *win, GMenuModel *menu)
{
  for (int i = 0; i < g_menu_model_get_n_items(menu); i++) {
    g_autofree char *action = NULL;
    if (g_menu_model_get_item_attribute(menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &action)) {
      /* The window's own action group ("win."): GtkApplicationWindow's. */
      g_autoptr(GVariant) state =
          g_str_has_prefix(action, "win.")
              ? g_action_group_get_action_state(G_ACTION_GROUP(win), action + 4)
              : NULL;
      if (state && g_variant_is_of_type(state, G_VARIANT_TYPE_BOOLEAN))
        g_print("menu-item %s checked %d\n", action, g_variant_get_boolean(state));
    }
    for (int j = 0; j < 2; j++) {
      g_autoptr(GMenuModel) link =
          g_menu_model_get_item_link(menu, i, j ? G_MENU_LINK_SUBMENU : G_MENU_LINK_SECTION);
      if (link)
        print_menu_state(win, link);
    }
  }
}

/* What the grid cell at @pos says, in the words the cell draws. */
static void
print_cell_texts(DerushWindow *win, guint pos)
{
  g_autoptr(DerushPhotoItem) item =
      g_list_model_get_item(G_LIST_MODEL(derush_window_get_model(win)), pos);
  if (!item) {
    g_print("cell %u none\n", pos);
    return;
  }
  const DerushPhotoAnalysis *a = derush_photo_item_get_analysis(item);
  g_autofree char *badge = derush_photo_text_group_badge(a, 0);
  g_autofree char *header = derush_group_header_at(G_LIST_MODEL(derush_window_get_model(win)), pos);
  const char *warning = derush_photo_text_warning(a);
  g_autofree char *sharpness = derush_photo_text_sharpness(item);
  g_print("cell %u|%s|group %" G_GINT64_FORMAT "|best %d|relation %s|badge %s|header %s|warning "
          "%s|sharpness %s\n",
          pos, derush_photo_item_get_display_name(item), a->group_size >= 2 ? a->group_id : 0,
          a->is_best, a->group_size >= 2 ? derush_relation_name(a->relation) : "-",
          badge ? badge : "-", header ? header : "-", warning ? warning : "-",
          sharpness ? sharpness : "-");
}

static void
print_compare(DerushWindow *win)
{
  GPtrArray *members = derush_compare_get_members(DERUSH_COMPARE(derush_window_get_compare(win)));
  GPtrArray *shown = derush_compare_get_items(DERUSH_COMPARE(derush_window_get_compare(win)));
  DerushPhotoItem *focused =
      derush_compare_get_focused(DERUSH_COMPARE(derush_window_get_compare(win)));
  g_print("compare members %u panes %u focused %s\n", members->len, shown->len,
          focused ? derush_photo_item_get_display_name(focused) : "none");
  for (guint i = 0; i < shown->len; i++) {
    g_autofree char *quality =
        derush_compare_get_pane_quality(DERUSH_COMPARE(derush_window_get_compare(win)), i);
    g_print("compare-pane %u %s|%s\n", i, derush_photo_item_get_display_name(shown->pdata[i]),
            quality ? quality : "");
  }
}

/**
 * derush_replay_ux_run:
 * Runs one of the commands above.
 * Returns: FALSE with @error set when it failed.
 */
gboolean
derush_replay_ux_run(DerushWindow *win, const char *cmd, const char *a1, const char *a2,
                     GError **error)
{
  GtkMenuButton *menu = find_menu_button(GTK_WIDGET(win));
  if (g_str_has_prefix(cmd, "menu-") && !menu) {
    g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no menu button");
    return FALSE;
  }
  if (g_str_equal(cmd, "menu-open")) {
    gtk_menu_button_popup(menu);
  } else if (g_str_equal(cmd, "menu-close")) {
    gtk_menu_button_popdown(menu);
  } else if (g_str_equal(cmd, "menu-state")) {
    print_menu_state(win, gtk_menu_button_get_menu_model(menu));
  } else if (g_str_equal(cmd, "menu-screenshot") && a1) {
    GtkPopover *popover = gtk_menu_button_get_popover(menu);
    int w = 0, h = 0;
    if (!popover || !gtk_widget_get_mapped(GTK_WIDGET(popover))) {
      g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_FAILED, "the menu is not open");
      return FALSE;
    }
    if (!derush_screenshot_widget(GTK_WIDGET(popover), a1, &w, &h, error))
      return FALSE;
    g_print("screenshot %s %dx%d\n", a1, w, h);
  } else if (g_str_equal(cmd, "focus-header")) {
    gtk_widget_grab_focus(derush_window_get_sort_dropdown(win));
  } else if (g_str_equal(cmd, "press") && a1) {
    guint keyval = gdk_keyval_from_name(a1);
    if (keyval == GDK_KEY_VoidSymbol) {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "no key named %s", a1);
      return FALSE;
    }
    if (!derush_window_route_arrow(win, keyval))
      g_print("press %s not routed\n", a1);
  } else if (g_str_equal(cmd, "print-focus")) {
    GtkWidget *focus = gtk_root_get_focus(GTK_ROOT(win));
    GtkWidget *grid = GTK_WIDGET(derush_window_get_grid_view(win));
    g_print("focus %s\n",
            focus && (focus == grid || gtk_widget_is_ancestor(focus, grid)) ? "grid" : "other");
  } else if (g_str_equal(cmd, "print-histogram")) {
    const DerushHistogramData *h =
        derush_viewer_get_histogram(DERUSH_VIEWER(derush_window_get_viewer(win)));
    char blown[G_ASCII_DTOSTR_BUF_SIZE], crushed[G_ASCII_DTOSTR_BUF_SIZE];
    if (h)
      g_print("histogram pixels %" G_GUINT64_FORMAT " blown %s crushed %s\n", h->n_pixels,
              g_ascii_formatd(blown, sizeof blown, "%.4f", h->clipped_high),
              g_ascii_formatd(crushed, sizeof crushed, "%.4f", h->clipped_low));
    else
      g_print("histogram none\n");
  } else if (g_str_equal(cmd, "cull-groups-respond") && a1) {
    if (!derush_window_cull_groups_respond(win, a1)) {
      g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no cull dialog is open");
      return FALSE;
    }
  } else if (g_str_equal(cmd, "print-quality")) {
    const char *text =
        derush_side_panel_get_quality_text(DERUSH_SIDE_PANEL(derush_window_get_side_panel(win)));
    g_auto(GStrv) lines = g_strsplit(text ? text : "-", "\n", -1);
    g_autofree char *joined = g_strjoinv(" / ", lines);
    g_print("quality %s\n", joined);
  } else if (g_str_equal(cmd, "print-page")) {
    g_print("page %s\n", derush_window_get_page(win));
  } else if (g_str_equal(cmd, "print-compare")) {
    print_compare(win);
  } else if (g_str_equal(cmd, "click-compare-strip") && a1) {
    GPtrArray *members = derush_compare_get_members(DERUSH_COMPARE(derush_window_get_compare(win)));
    for (guint i = 0; i < members->len; i++) {
      if (!g_str_equal(derush_photo_item_get_display_name(members->pdata[i]), a1))
        continue;
      if (derush_compare_click_member(DERUSH_COMPARE(derush_window_get_compare(win)),
                                      members->pdata[i]))
        return TRUE;
      g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_FAILED, "the strip is hidden");
      return FALSE;
    }
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s is not in the group compared", a1);
    return FALSE;
  } else if (g_str_equal(cmd, "select-slot") && a1) {
    gtk_widget_activate_action(GTK_WIDGET(derush_window_get_grid_view(win)), "list.select-item",
                               "(ubb)", (guint)g_ascii_strtoull(a1, NULL, 10), FALSE, FALSE);
  } else if (g_str_equal(cmd, "print-selection")) {
    GtkSelectionModel *model = gtk_grid_view_get_model(derush_window_get_grid_view(win));
    g_autoptr(GtkBitset) set = gtk_selection_model_get_selection(model);
    guint photos = 0, spacers = 0;
    GtkBitsetIter iter;
    guint pos;
    for (gboolean ok = gtk_bitset_iter_init_first(&iter, set, &pos); ok;
         ok = gtk_bitset_iter_next(&iter, &pos)) {
      g_autoptr(GObject) item = g_list_model_get_item(G_LIST_MODEL(model), pos);
      photos += DERUSH_IS_PHOTO_ITEM(item);
      spacers += !DERUSH_IS_PHOTO_ITEM(item);
    }
    g_print("selection photos %u spacers %u\n", photos, spacers);
  } else if (g_str_equal(cmd, "print-layout")) {
    guint columns;
    GListModel *items = derush_window_get_grid_items(win, &columns);
    guint n = g_list_model_get_n_items(items);
    g_print("layout columns %u items %u\n", columns, n);
    for (guint pos = 0; pos < n; pos++) {
      g_autoptr(GObject) item = g_list_model_get_item(items, pos);
      g_print("slot %u %s\n", pos,
              DERUSH_IS_PHOTO_ITEM(item)
                  ? derush_photo_item_get_display_name(DERUSH_PHOTO_ITEM(item))
                  : "-");
    }
  } else if (g_str_equal(cmd, "print-cell-texts") && a1) {
    guint first = (guint)g_ascii_strtoull(a1, NULL, 10);
    guint last = a2 ? (guint)g_ascii_strtoull(a2, NULL, 10) : first;
    guint n = g_list_model_get_n_items(G_LIST_MODEL(derush_window_get_model(win)));
    for (guint pos = first; pos <= last && pos < n; pos++)
      print_cell_texts(win, pos);
  } else {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "bad arguments to %s", cmd);
    return FALSE;
  }
  return TRUE;
}
